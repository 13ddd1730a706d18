"""Token buckets and client addresses behind a reverse proxy."""

from __future__ import annotations

from bot.config import RateLimitSettings
from bot.ratelimit import RateLimiter, TokenBuckets
from flows.messages import ConversationKey


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refusals_then_refill() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(capacity=3, period_seconds=30, clock=clock)
    assert [buckets.take("u").allowed for _ in range(3)] == [True, True, True]
    first, second = buckets.take("u"), buckets.take("u")
    assert not first.allowed and first.first_refusal
    assert not second.allowed and not second.first_refusal  # only the first refusal is answered
    assert first.retry_after == 10.0  # one token per 10 s
    clock.now += 10
    assert buckets.take("u").allowed
    assert not buckets.take("u").allowed and buckets.take("other").allowed  # keys are independent


def test_key_count_is_bounded() -> None:
    buckets = TokenBuckets(capacity=1, period_seconds=60, max_keys=100)
    for n in range(1000):
        buckets.take(str(n))
    assert len(buckets) == 100


def test_users_are_limited_per_channel_and_disabled_limits_allow_everything() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimitSettings(user_messages=1, user_period_seconds=60), clock=clock)
    assert limiter.check_user(ConversationKey("telegram", "1")).allowed
    assert not limiter.check_user(ConversationKey("telegram", "1")).allowed
    assert limiter.check_user(ConversationKey("whatsapp", "1")).allowed
    open_limiter = RateLimiter(RateLimitSettings(enabled=False, user_messages=1), clock=clock)
    assert all(open_limiter.check_user(ConversationKey("web", "x")).allowed for _ in range(5))


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    limiter = RateLimiter(RateLimitSettings(trusted_proxies=("10.0.0.0/8",)))
    assert limiter.client_address("10.0.0.2", "203.0.113.7") == "203.0.113.7"
    # A client cannot choose its own address by sending the header directly...
    assert limiter.client_address("198.51.100.9", "203.0.113.7") == "198.51.100.9"
    # ...nor by prepending a fake hop: the proxy appends the real peer last.
    assert limiter.client_address("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.3") == "203.0.113.7"
    assert limiter.client_address("10.0.0.2", "not-an-ip") == "not-an-ip"
