"""The name bench/run.py looks for: the summary PDF benchmark lives in bench/bench_pdf.py.

``run()`` measures a normal review (85 items, 30 risks, 60 actions) and a large register
(300 risks, 600 actions); its flat figures are the normal review's (what run.py's
pdf_line prints), and ``figures["cases"]`` holds both in full.
"""

from bench.bench_pdf import print_figures, run

__all__ = ["print_figures", "run"]
