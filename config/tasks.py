"""huey periodic tasks are declared in each app's tasks.py; this module only
documents where the queue is configured (settings.HUEY) and how to run it:

    python manage.py run_huey
"""
