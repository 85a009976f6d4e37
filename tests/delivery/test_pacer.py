"""The pacer's windows on an injected clock: a slot counts from when Slack answered, not from when
the row was claimed (a call that waited in its lane must not let the next window open early)."""

from __future__ import annotations

from bot.slack.ratelimit import Pacer, RateLimits


class Ticker:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def limits(per_minute: float) -> RateLimits:
    # time_scale 1/60: a "minute" lasts one second; no margin, so the arithmetic is exact.
    return RateLimits(tier_per_minute={"Tier3": per_minute}, time_scale=1 / 60, window_margin=0.0)


def test_a_full_window_says_how_long_to_wait_and_takes_nothing() -> None:
    clock = Ticker()
    pacer = Pacer(limits(2), clock=clock)
    assert pacer.try_acquire("T1", "chat.update").wait == 0
    clock.now += 0.25
    assert pacer.try_acquire("T1", "chat.update").wait == 0
    refused = pacer.try_acquire("T1", "chat.update")
    assert refused.wait == 0.75
    pacer.settle(refused)  # settling a refusal changes nothing
    clock.now += 0.75
    assert pacer.try_acquire("T1", "chat.update").wait == 0
    # Another workspace and another method have windows of their own.
    assert pacer.try_acquire("T2", "chat.update").wait == 0
    assert pacer.try_acquire("T1", "chat.delete").wait == 0


def test_a_slot_counts_from_the_answer_not_from_the_claim() -> None:
    clock = Ticker()
    pacer = Pacer(limits(2), clock=clock)
    first = pacer.try_acquire("T1", "chat.update")
    clock.now += 0.1
    second = pacer.try_acquire("T1", "chat.update")
    # The first call waited behind others and was answered 0.6 s after its claim.
    clock.now += 0.5
    pacer.settle(first)
    pacer.settle(second)
    # Without the restamp the window would open at 101.0 (first claim + 1 s); Slack counted the
    # calls later, so it opens one second after the later answer: 100.6 + 1.
    clock.now = 101.0
    assert abs(pacer.try_acquire("T1", "chat.update").wait - 0.6) < 1e-9
    clock.now = 101.6
    assert pacer.try_acquire("T1", "chat.update").wait == 0


def test_a_retry_after_blocks_the_method_until_it_expires() -> None:
    clock = Ticker()
    pacer = Pacer(limits(100), clock=clock)
    pacer.block("T1", "chat.update", "", 3.0)
    assert abs(pacer.try_acquire("T1", "chat.update").wait - 3.0) < 1e-9
    clock.now += 3.0
    assert pacer.try_acquire("T1", "chat.update").wait == 0
