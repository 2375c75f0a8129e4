#!/usr/bin/env python3
"""A full OAI-PMH harvest with Sickle (PyPI), timing every page (Scripts/bench section oai).

    oai_harvest.py BASE_URL PREFIX   ->  one JSON line: records, deleted, seconds, page times

Sickle's own request method is wrapped so each page's round trip (request and the server's
answer read whole) is timed; parsing is Sickle's, as a harvester would run it.
"""
import json
import sys
import time

from sickle import Sickle


class TimedSickle(Sickle):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = []

    def harvest(self, **kwargs):
        started = time.perf_counter()
        response = super().harvest(**kwargs)
        self.pages.append(time.perf_counter() - started)
        return response


def main():
    base, prefix = sys.argv[1], sys.argv[2]
    sickle = TimedSickle(base, max_retries=3, timeout=120)
    started = time.perf_counter()
    records = deleted = 0
    for record in sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False):
        records += 1
        deleted += record.header.deleted
    seconds = time.perf_counter() - started
    print(json.dumps({"records": records, "deleted": deleted, "seconds": seconds, "pages": sickle.pages}))


if __name__ == "__main__":
    main()
