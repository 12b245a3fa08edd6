"""HTTP details of the web app: the request body's size limit and media type."""

from fastapi import HTTPException
from fastapi.responses import JSONResponse

# The parser Starlette reads form uploads with: our routing agrees with it.
from python_multipart.multipart import parse_options_header

MULTIPART = "multipart/form-data"
# Raw bodies of these types are images; anything else goes as a multipart form.
RAW_IMAGE_TYPES = ("image/", "application/octet-stream")


def media_type(request):
    """The request's media type, lower case and without parameters ("" if none)."""
    media, _ = parse_options_header(request.headers.get("content-type", ""))
    return media.decode("latin-1")


def is_raw_image(media):
    """Whether a body of this media type is an image's bytes."""
    return media.startswith(RAW_IMAGE_TYPES)


def unsupported(media, batch=False):
    """The 415 error for a body of another media type."""
    accepted = (
        "a multipart/form-data upload of image files"
        if batch
        else "an image (image/png, image/jpeg, ...) as the body, or a "
        "multipart/form-data upload of one image file"
    )
    return HTTPException(
        415, f"expected {accepted}, not {media or 'a body without a type'}."
    )


class BodySizeLimit:
    """ASGI middleware: 413 for request bodies over `max_bytes`, unread.

    A declared Content-Length over the limit is answered at once; a body
    without one (chunked) is counted as it arrives, and reading stops at the
    limit.
    """

    def __init__(self, app, max_bytes):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = (
            f"the request body is over the limit of {self.max_bytes:,} bytes; "
            "send a smaller image."
        )
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_bytes:
            response = JSONResponse({"detail": message}, status_code=413)
            return await response(scope, receive, send)
        received = 0

        async def limited_receive():
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the endpoint's reading: FastAPI answers it.
                    raise HTTPException(413, message)
            return event

        await self.app(scope, limited_receive, send)
