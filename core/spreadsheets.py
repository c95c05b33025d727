"""Text cells that a spreadsheet program must not run as formulas (CSV exports).

Excel, LibreOffice and Sheets run a cell that starts with one of FORMULA_PREFIXES. An
export writes such a text with an apostrophe in front, which they show as text. An export
that the site imports again (checklists) is ``reversible``: a text that already starts
with an apostrophe gets one more, and ``restore_formula`` takes exactly one off, so a file
exported and imported back is unchanged.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutralise_formula(text, *, reversible=False):
    prefixes = (*FORMULA_PREFIXES, ESCAPE) if reversible else FORMULA_PREFIXES
    if isinstance(text, str) and text.startswith(prefixes):
        return ESCAPE + text
    return text


def restore_formula(text):
    """The inverse of a reversible neutralise_formula, for the site's own exports read back."""
    if text.startswith(ESCAPE) and text[1:].startswith((*FORMULA_PREFIXES, ESCAPE)):
        return text[1:]
    return text
