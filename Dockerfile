FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango (with HarfBuzz) and fonts; DejaVu is what the PDF templates name.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fonts-dejavu-core fonts-dejavu-extra shared-mime-info \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 readiness
WORKDIR /app

COPY pyproject.toml README.md ./
COPY readiness ./readiness
COPY accounts ./accounts
COPY reviews ./reviews
COPY risks ./risks
RUN pip install .

COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media /app/var/mail && chown -R readiness /app/var

USER readiness
EXPOSE 8000
CMD ["gunicorn", "readiness.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
