from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def home(request):
    return HttpResponse("TODO")


def error_403(request, exception=None):
    return HttpResponse("403", status=403)


def error_404(request, exception=None):
    return HttpResponse("404", status=404)


def error_500(request):
    return HttpResponse("500", status=500)
