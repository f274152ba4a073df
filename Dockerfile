FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 pianozona \
    && mkdir -p /backups && chown pianozona /backups
WORKDIR /app
COPY pyproject.toml README.md ./
COPY pianozona pianozona
COPY governance governance
COPY objectives objectives
COPY budget budget
COPY indicators indicators
RUN pip install .
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput
USER pianozona
EXPOSE 8000
CMD ["gunicorn", "pianozona.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
