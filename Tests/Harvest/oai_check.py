#!/usr/bin/env python3
"""OAI-PMH against a real harvester: Sickle (PyPI) harvests `kho serve` following resumption tokens.

Run by Scripts/test after the Swift tests. A scratch archive gets products of every access level,
some changed to restricted and some withdrawn; then, with ten records a page:
  - a full ListIdentifiers harvest (deleted records included) gives exactly the catalog's public
    products as records and the restricted-later and withdrawn ones as deleted;
  - ListRecords in oai_dc and in kho gives a record with a title for every public product;
  - a harvest whose server is stopped and started again between two pages goes on with its token
    and ends with the same records;
  - set and date selection give what the catalog says.
Exits non-zero with a reason on the first difference.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from sickle import Sickle


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kho(binary, archive, *args):
    done = subprocess.run([binary, *args, "--storage", archive], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("oai check: kho %s failed: %s" % (" ".join(args), done.stderr))
    return done.stdout.strip()


def start(binary, archive, port):
    base = "http://127.0.0.1:%d" % port
    process = subprocess.Popen([binary, "serve", "--port", str(port), "--base-url", base, "--storage", archive],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("oai check: the server did not start")


def stop(process):
    process.terminate()
    process.wait(timeout=30)


def check(condition, what):
    if not condition:
        raise SystemExit("oai check: " + what)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kho", required=True)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="kho-oai-check-")
    archive = os.path.join(scratch, "archive")
    subprocess.run([args.kho, "init", archive], check=True, capture_output=True)
    with open(os.path.join(archive, "kho-config.json"), "w") as f:
        json.dump({"oai": {"pageSize": 10, "repositoryIdentifier": "kho.test.example", "adminEmail": "luutru@test.example"}}, f)

    public, internal, deleted = [], [], []
    unit_of = {}
    units = ["21025", "00004", "23281"]
    for i in range(57):
        access = "restricted" if i % 11 == 10 else "internal" if i % 5 == 4 else "public"
        produced = "2024-05-01" if units[i % 3] == "23281" else "2025-09-01"
        pid = kho(args.kho, archive, "register", "--title", "Tờ rơi số %d" % i, "--kind", "leaflet" if i % 2 else "article",
                  "--lang", "vi", "--unit", units[i % 3], "--produced", produced, "--access", access)
        {"public": public, "internal": internal, "restricted": []}[access].append(pid)
        unit_of[pid] = units[i % 3]
    # Two public products become restricted, two are withdrawn: harvesters see them deleted.
    for pid in public[3:5]:
        kho(args.kho, archive, "edit", pid, "--access", "restricted")
    for pid in public[7:9]:
        kho(args.kho, archive, "withdraw", pid, "--reason", "trùng")
    deleted = public[3:5] + public[7:9]
    readable = [p for p in public if p not in deleted]

    port = free_port()
    server, base = start(args.kho, archive, port)
    try:
        sickle = Sickle(base + "/oai", max_retries=2)
        identify = sickle.Identify()
        check(identify.repositoryIdentifier == "kho.test.example" and identify.deletedRecord == "persistent",
              "Identify: %s" % identify)
        headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False))
        ids = [h.identifier.split(":")[-1] for h in headers]
        check(len(ids) == len(set(ids)), "ListIdentifiers gave a record twice")
        check(set(i for i, h in zip(ids, headers) if not h.deleted) == set(readable),
              "records %s are not the public products %s" % (sorted(ids), sorted(readable)))
        check(set(i for i, h in zip(ids, headers) if h.deleted) == set(deleted), "deleted records: %s" % ids)
        check(not set(ids) & set(internal), "an internal product was named to anyone")
        for prefix in ["oai_dc", "kho"]:
            records = list(sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=True))
            got = sorted(r.header.identifier.split(":")[-1] for r in records)
            check(got == sorted(readable), "%s: %d records for %d public products" % (prefix, len(got), len(readable)))
            check(all(r.metadata.get("title") for r in records), "%s: a record without a title" % prefix)
        # Selection: one commune's set, and from a second after the last change (nothing).
        # (Deleted records name no sets: a restricted product's unit stays in.)
        commune = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="unit:51:21025", ignore_deleted=True))
        check(commune and all("unit:51:21025" in h.setSpecs for h in commune), "set unit:51:21025")
        in_commune = set(h.identifier.split(":")[-1] for h in commune)
        check(in_commune == set(p for p in readable if unit_of[p] == "21025"), "set unit:51:21025: %s" % sorted(in_commune))
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
        reply = urllib.request.urlopen(base + "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&from=" + later).read().decode()
        check('code="noRecordsMatch"' in reply, "from after every change: " + reply)

        # A harvest across a restart: the first page from one server, the rest from the next.
        first = urllib.request.urlopen(base + "/oai?verb=ListRecords&metadataPrefix=oai_dc").read().decode()
        page_ids = re.findall(r"<identifier>oai:kho\.test\.example:([^<]+)</identifier>", first)
        token = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", first).group(1)
    finally:
        stop(server)
    server, base = start(args.kho, archive, free_port())
    try:
        rest = Sickle(base + "/oai", max_retries=2).ListRecords(resumptionToken=token, ignore_deleted=False)
        page_ids += [r.header.identifier.split(":")[-1] for r in rest]
        check(sorted(page_ids) == sorted(readable + deleted), "across a restart: %d of %d" % (len(page_ids), len(readable + deleted)))
    finally:
        stop(server)
    print("oai check: %d records, %d deleted, %d never named; a restart between pages lost nothing"
          % (len(readable), len(deleted), len(internal)), file=sys.stderr)


if __name__ == "__main__":
    main()
