"""Webhook delivery: each event POSTed as JSON and signed per the Standard Webhooks specification
(https://www.standardwebhooks.com, "Signature scheme").

Headers: ``webhook-id`` (the event's id, the same on every attempt, for the receiver to drop
repeats), ``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` under the subscription's secret).

A 2xx answer is a delivery. Anything else is a failure to retry, a 4xx included (not only
408 and 429): dropping an event on a 400 or 404 would lose it for good over what is most often
a receiver's misconfiguration, while retrying costs only a request now and then until someone
fixes it. Redirects are not followed, timeouts and refused connections are failures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence

import httpx2 as httpx

import clearway
from clearway.domain.subscriptions import Subscription, secret_key
from clearway.services.publishing import AbstractPublisher, DeliveryReport, Message

# Seconds to wait for a receiver's answer (and at most a quarter of that to connect).
DEFAULT_TIMEOUT = 10.0
_ANSWER_SHOWN = 200


def signature(key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` and the base64 HMAC-SHA256 of
    ``message_id.timestamp.body``."""
    signed = b".".join((message_id.encode(), timestamp.encode(), body))
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class WebhookPublisher(AbstractPublisher):
    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._timeout = timeout
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, max(timeout / 4, 1.0))),
            follow_redirects=False,
            transport=transport,
            headers={"user-agent": f"Clearway/{clearway.__version__}"},
        )
        self._clock = clock

    def deliver(self, subscription: Subscription, messages: Sequence[Message]) -> DeliveryReport:
        assert subscription.url is not None and subscription.secret is not None
        key = secret_key(subscription.secret)
        for index, message in enumerate(messages):
            error = self._post(subscription.url, key, message)
            if error is not None:
                return DeliveryReport(index, error)
        return DeliveryReport(len(messages))

    def _post(self, url: str, key: bytes, message: Message) -> str | None:
        message_id = message.event.id
        timestamp = str(int(self._clock()))
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature(key, message_id, timestamp, message.body),
        }
        try:
            response = self._client.post(url, content=message.body, headers=headers)
        except httpx.TimeoutException:
            return f"no answer from {url} within {self._timeout:g} s"
        except httpx.HTTPError as error:
            return f"cannot reach {url}: {error or type(error).__name__}"
        if response.is_success:
            return None
        answer = " ".join(response.text[:_ANSWER_SHOWN].split())
        return f"{url} answered {response.status_code}" + (f": {answer}" if answer else "")

    def close(self) -> None:
        self._client.close()
