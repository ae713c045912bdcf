"""HTTP connections for the scoring server: headers in time, and JSON even for bad HTTP.

uvicorn waits for request headers without a limit: a client that opens a connection and
sends half a request line (or nothing) holds it for as long as it likes. The protocol class
built here is uvicorn's h11 protocol plus one timer: a connection whose request headers have
not fully arrived ``seconds`` after it opened (or after the previous response) is closed.
The body has its own limit, applied by the app (:func:`sparksig.models.server.create_app`).

A request that is not valid HTTP (which never reaches the app) gets uvicorn's 400 with a
JSON body instead of plain text, so that every answer of the server is JSON.

Examples:
    >>> protocol = header_timeout_protocol(15.0)  # doctest: +SKIP
    >>> uvicorn.run(app, http=protocol)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from sparksig.models.responses import ErrorCode, error_json

__all__ = ["header_timeout_protocol"]


def header_timeout_protocol(seconds: float) -> type:
    """uvicorn's h11 protocol: closes connections whose headers take > ``seconds``; JSON 400s."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        _header_timer: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def handle_events(self) -> None:
            super().handle_events()
            if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._arm()  # the next request's headers get the same time

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(seconds, self._headers_timed_out)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def send_400_response(self, msg: str) -> None:
            body = error_json(
                ErrorCode.BAD_REQUEST, f"{msg} Send a well-formed HTTP/1.1 request."
            ).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ]
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event))
            self.transport.close()

        def _headers_timed_out(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.logger.info("Closing a connection whose request headers took > %gs", seconds)
                self.transport.close()

    return HeaderTimeoutProtocol
