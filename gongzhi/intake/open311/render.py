"""Open311 responses in the spec's shapes: XML (required) and JSON (arrays).

XML element names follow GeoReport v2 exactly; lists nest under their
plural element (``<attributes><attribute>``, ``<values><value>``,
``<endpoints><endpoint>``, ``<formats><format>``).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# plural element → the element of each item
ITEM_TAGS = {
    "service_requests": "request",
    "services": "service",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    """An error answered as ``<errors><error><code/><description/></error></errors>``."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    # The spec asks for the declaration with encoding="UTF-8".
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def respond(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """``data`` is a list (rendered under ``root``) or, for discovery, a dict."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(
        fmt if fmt in FORMATS else "json",
        "errors",
        [{"code": status, "description": description}],
        status=status,
    )
