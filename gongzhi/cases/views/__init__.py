"""Case workflow pages: residents report and follow their own cases
(``resident``); staff work their queues and act on cases (``staff``); the
case page, actions and photos are shared (``common``).

Views parse input, call one selector or service, and render; a DomainError
they do not catch becomes the Chinese error page (``web.middleware``).
"""

from .common import case_act, case_detail, case_photo, home
from .resident import my_cases, report
from .staff import batch_dispatch, queue

__all__ = [
    "batch_dispatch",
    "case_act",
    "case_detail",
    "case_photo",
    "home",
    "my_cases",
    "queue",
    "report",
]
