import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
application = get_wsgi_application()

from mamori.core.gcfreeze import freeze_loaded_site  # noqa: E402 (needs Django set up)

freeze_loaded_site()
