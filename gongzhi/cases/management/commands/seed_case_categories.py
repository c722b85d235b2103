from django.core.management.base import BaseCommand

from gongzhi.cases.catalogue import seed_categories
from gongzhi.cases.models import Category


class Command(BaseCommand):
    help = "Create the missing case categories (citizen taxonomy and GB/T 30428 top classes)."

    def handle(self, *args, **options):
        created = seed_categories(Category)
        self.stdout.write(f"created {created} categories; {Category.objects.count()} in total")
