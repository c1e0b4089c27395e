FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PLAIN_STATIC=0
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY . .
RUN pip install --no-cache-dir -c constraints.txt .
# Japanese is the default language: compile the catalogue (polib, no GNU gettext in the image).
RUN python tools/compile_messages.py && test -s locale/ja/LC_MESSAGES/django.mo
RUN SECRET_KEY=build python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "b2bshop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
