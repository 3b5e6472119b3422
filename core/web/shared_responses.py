"""Answers that are the same for everybody until the data changes, replayed in front of Flask.

The map's facility data is fetched by every visit, is identical for every visitor of a data
version and filter, and costs next to nothing to find in the caches; what a repeated request
costs is Flask's machinery around it (request context, session, CSRF and limiter hooks,
after-request hooks): twice the work of a bare endpoint (docs/benchmarks.md). So, as a caching
reverse proxy would, this WSGI middleware keeps the complete answer (status, the headers every
hook added, body) of views that opt in with ``share_until_new_version`` and replays it to the
next GET of the same path, query and Accept-Encoding while the published version is the same,
or answers 304 when the client already has its ETag. The answer itself is made in one place:
the view, on the first request.

An answer is kept under the version its view answered for, so after a publication the next
request is answered afresh. As a proxy honours ``Vary``, an answer that says
``Vary: Accept-Language`` is also kept under the request's language (``language_of``: the
app's own choice, from the session or the browser), so nobody is answered in another person's
language; an answer the same in every language (the map's facility columns) is kept once, and
its replay never looks at the language. ``SHARED_RESPONSES = False`` turns the middleware off. Never kept: answers that set a cookie, answers that are not 200.
Requests for paths no view has shared pass straight on, without a question to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, request
from werkzeug.http import is_resource_modified

from core.web.cache import LruCache

ENVIRON_KEY = "openbudget.shared_version"
# Headers a 304 repeats (RFC 9110, 15.4.5); the server adds Date.
NOT_MODIFIED_HEADERS = {"etag", "cache-control", "vary", "expires", "content-location"}


def share_until_new_version(version_id: int | None) -> None:
    """Let the middleware replay this request's answer to everybody until a new version."""
    request.environ[ENVIRON_KEY] = version_id


@dataclass(frozen=True)
class SharedAnswer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None


def init_app(app: Flask, language_of: Callable[[dict], str], size: int = 32) -> None:
    """Put the middleware in front of ``app`` (unless ``SHARED_RESPONSES`` is off); its answers
    live among the app's caches. ``language_of(environ)`` names the language of a request."""
    if not app.config.get("SHARED_RESPONSES", True):
        return

    def answers() -> LruCache:
        caches = app.extensions.setdefault("caches", {})
        return caches.get("shared_responses") or caches.setdefault("shared_responses", LruCache(size))

    app.wsgi_app = SharedResponses(app.wsgi_app, app.extensions["latest_version"].latest, answers, language_of)


class SharedResponses:
    """WSGI middleware around the Flask app (``wsgi_app``); ``latest_version()`` gives the
    published version (``versions.LatestVersionWatch.latest``), ``answers()`` the cache."""

    def __init__(self, wsgi_app: Callable, latest_version: Callable[[], dict | None],
                 answers: Callable[[], LruCache], language_of: Callable[[dict], str] = lambda environ: ""):
        self.wsgi_app = wsgi_app
        self.language_of = language_of
        self.latest_version = latest_version
        self.answers = answers
        # Paths whose views opted in -> whether their answers vary by language; requests for
        # other paths pass straight on.
        self.shared_paths: dict[str, bool] = {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path in self.shared_paths:
            version = self.latest_version()
            key = self._key(environ, version["id"] if version else None, self.shared_paths[path])
            answer = self.answers().get(key)
            if answer is not None:
                return self._replay(answer, environ, start_response)
        return self._answer_and_keep(environ, start_response)

    def _key(self, environ: dict, version_id: int | None, by_language: bool) -> tuple:
        # The whole Accept-Encoding: an answer may be brotli, gzip or plain by the client's
        # choice (Flask-Compress), and one browser sends the same header every time.
        return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                environ.get("HTTP_ACCEPT_ENCODING", "").replace(" ", "").lower(),
                self.language_of(environ) if by_language else None, version_id)

    def _replay(self, answer: SharedAnswer, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if answer.etag and not is_resource_modified(environ, etag=answer.etag):
            start_response("304 NOT MODIFIED",
                           [(k, v) for k, v in answer.headers if k.lower() in NOT_MODIFIED_HEADERS])
            return []
        start_response(answer.status, list(answer.headers))
        return [answer.body]

    def _answer_and_keep(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict = {}

        def remember_start(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember_start)
        headers = seen.get("headers") or []
        if (ENVIRON_KEY not in environ or environ.get("REQUEST_METHOD") != "GET"
                or not seen.get("status", "").startswith("200 ")
                or any(name.lower() == "set-cookie" for name, _ in headers)):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        kept = [(name, value) for name, value in headers if name.lower() != "date"]  # the server dates each answer
        etag = next((value for name, value in headers if name.lower() == "etag"), None)
        by_language = any(name.lower() == "vary" and "accept-language" in value.lower() for name, value in headers)
        # Kept under the version the view answered for: a publication after it is another key.
        key = self._key(environ, environ[ENVIRON_KEY], by_language)
        self.answers().put(key, SharedAnswer(seen["status"], kept, data, etag))
        self.shared_paths[environ.get("PATH_INFO", "")] = by_language
        return [data]
