"""Two saves at the same moment, each in its own thread and database connection."""

import threading

from django.db import connection

from portal.errors import ConflictError


def race(save, values: list, users: list) -> list:
    """Run save(user, value) for each pair at once (a barrier releases them together); return
    what each got: the value it saved, or "conflict"."""
    barrier = threading.Barrier(len(users))
    outcomes = []

    def run(user, value):
        try:
            barrier.wait()
            save(user, value)
            outcomes.append(value)
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(users, values)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
