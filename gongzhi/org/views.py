from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def division_detail(request, code: str):
    return HttpResponse("TODO")
