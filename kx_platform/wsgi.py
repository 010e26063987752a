import os

from django.core.wsgi import get_wsgi_application

# An app server runs production; `manage.py runserver` keeps manage.py's dev settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kx_platform.settings.production")
application = get_wsgi_application()
