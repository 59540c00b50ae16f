"""Login throttling that a town hall behind one NAT address can live with.

The rule (README, "Security"): within LOGIN_THROTTLE_SECONDS,

- `LOGIN_FAILURE_LIMIT_PER_USERNAME_AND_ADDRESS` (5) failed logins for one user name from one
  address lock that name at that address — even the right password is refused, so guessing
  gains nothing;
- `LOGIN_FAILURE_LIMIT_PER_USERNAME` (20) failures for one name from anywhere lock the name
  everywhere (guessing spread over many addresses);
- `LOGIN_FAILURE_LIMIT_PER_ADDRESS` (30) failures from one address — wrong passwords, unknown
  names, wrong API tokens — make that address's *invalid* attempts answer 429 with
  Retry-After; valid credentials and valid tokens from it are never refused, so one person
  cannot lock a whole town hall out.

A refused attempt answers 429 with Retry-After (the time until the count falls under the
limit). User names are counted by a keyed hash (portal.security.username_hash), the same
name whether it exists or not, so the answers do not tell which names exist.

The failures are rows in the database (`LoginFailure`), not cache counters: a Redis outage
turned those into misses and lifted every lock. The cost is one indexed count query per
login attempt and nothing for a valid API token; rows older than the window are pruned when
the next failure is written.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from portal.security import username_hash

ACCOUNT_ADDRESS, ACCOUNT, ADDRESS = "account_address", "account", "address"


def _limits() -> dict[str, int]:
    return {ACCOUNT_ADDRESS: settings.LOGIN_FAILURE_LIMIT_PER_USERNAME_AND_ADDRESS,
            ACCOUNT: settings.LOGIN_FAILURE_LIMIT_PER_USERNAME,
            ADDRESS: settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS}


def _window() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LOGIN_THROTTLE_SECONDS)


def client_address(request: HttpRequest | None) -> str:
    """The client's address. Behind our TLS proxy (BEHIND_TLS_PROXY) every request comes from
    the proxy, so the right-most X-Forwarded-For entry — the one our own proxy appended, which a
    client cannot forge — is the client; otherwise REMOTE_ADDR."""
    if request is None:
        return ""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


@dataclass(frozen=True)
class Lockout:
    scope: str  # ACCOUNT_ADDRESS, ACCOUNT or ADDRESS
    retry_after: int  # seconds until an attempt is judged again

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


@dataclass(frozen=True)
class Standing:
    """The failures that count against one attempt (user name or token, and address), read
    before the attempt is judged."""

    account: str
    address: str
    counts: dict[str, int]

    def _filter(self, scope: str) -> Q:
        return {ACCOUNT_ADDRESS: Q(account=self.account, address=self.address),
                ACCOUNT: Q(account=self.account), ADDRESS: Q(address=self.address)}[scope]

    def _lockout(self, scope: str) -> Lockout | None:
        from portal.models import LoginFailure

        limit, count = _limits()[scope], self.counts.get(scope, 0)
        if count < limit:
            return None
        # The lock lasts until the count in the window falls under the limit: until the
        # (count - limit + 1)-th oldest failure in it is older than the window.
        now = timezone.now()
        oldest = (LoginFailure.objects.filter(self._filter(scope), created_at__gt=now - _window())
                  .order_by("created_at").values_list("created_at", flat=True)[count - limit])
        return Lockout(scope, max(1, math.ceil((oldest + _window() - now).total_seconds())))

    def account_lockout(self) -> Lockout | None:
        """A lock on the user name (at this address, or everywhere): refuses even the right
        password."""
        return self._lockout(ACCOUNT_ADDRESS) or self._lockout(ACCOUNT)

    def address_lockout(self) -> Lockout | None:
        """The address has failed too often: its invalid attempts are answered with 429."""
        return self._lockout(ADDRESS)

    def reached_by_next_failure(self) -> list[str]:
        """The scopes whose limit one more failure reaches (the moment a lockout starts)."""
        return [scope for scope, limit in _limits().items()
                if scope in self.counts and self.counts[scope] + 1 == limit]


def standing(username: str | None, request: HttpRequest | None) -> Standing:
    """One query: the failures in the window for the name at this address, for the name, and
    for the address."""
    from portal.models import LoginFailure

    account, address = username_hash(username), client_address(request)
    aggregates = {}
    if account:
        aggregates[ACCOUNT_ADDRESS] = Count("pk", filter=Q(account=account, address=address))
        aggregates[ACCOUNT] = Count("pk", filter=Q(account=account))
    if address:
        aggregates[ADDRESS] = Count("pk", filter=Q(address=address))
    if not aggregates:
        return Standing(account, address, {})
    scope = (Q(account=account) if account else Q()) | (Q(address=address) if address else Q())
    counts = (LoginFailure.objects.filter(scope, created_at__gt=timezone.now() - _window())
              .aggregate(**aggregates))
    return Standing(account, address, counts)


def record_failure(current: Standing) -> None:
    from portal.models import LoginFailure

    now = timezone.now()
    LoginFailure.objects.create(account=current.account, address=current.address,
                                created_at=now)
    LoginFailure.objects.filter(created_at__lt=now - _window()).delete()


def record_success(current: Standing) -> None:
    """A successful login clears the name's failures at this address (its own typing
    mistakes). Failures for the name from other addresses stay, and so do the address's
    failures for other names: one valid account must not let a guesser start again."""
    from portal.models import LoginFailure

    if current.account:
        LoginFailure.objects.filter(account=current.account, address=current.address).delete()


def mark_response(request: HttpRequest, response):
    """429 with Retry-After for a login page whose form refused a locked attempt (the
    form leaves the Lockout on the request)."""
    lockout = getattr(request, "login_lockout", None)
    if lockout is not None:
        response.status_code = 429
        response["Retry-After"] = str(lockout.retry_after)
    return response
