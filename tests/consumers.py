"""The consumers' part, for tests: events become notices (and a gate's event a plan
re-approval) after the writer's commit (portal.consumers). A test's transaction never commits,
so the test runs the consumers itself before it looks at what they write."""

from portal.consumers import consumers_run_all


def run_consumers() -> int:
    """Run every consumer until nothing is left (a reaction may write events for another);
    returns the number of rows handled."""
    return consumers_run_all(until_idle=True).handled
