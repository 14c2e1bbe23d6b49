"""Pictures over HTTP: the bytes under a URL that changes with them, cached for good."""

from flask import Response, redirect, request

from community.images.models import StoredImage

# The URL holds the picture's key, so a URL's bytes never change: browsers keep them a
# year without asking again. `private`: who may see a private club's image (or the
# avatar of a runner who blocked you) depends on the session, so no shared cache keeps it.
FOREVER = "private, max-age=31536000, immutable"


def send(image: StoredImage) -> Response:
    response = Response(image.data, mimetype=image.content_type)
    response.headers["Cache-Control"] = FOREVER
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(image.content_hash)
    return response.make_conditional(request)


def moved(url: str) -> Response:
    """An older key (a page or a cached board drawn before the picture changed): the
    picture now, asked again each time rather than kept."""
    response = redirect(url)
    response.headers["Cache-Control"] = "no-cache"
    return response
