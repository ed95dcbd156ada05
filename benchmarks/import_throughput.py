"""Import throughput with and without PII masking, through the real import service.

    .venv/bin/python benchmarks/import_throughput.py --rows 100000

Builds a CSV of short texts (a share of them carrying personal data), imports it into
a fresh SQLite database twice — once as shipped (masking on) and once with the masker
replaced by the identity — and prints rows/s and peak memory for both.
"""
import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_csv(path, rows, seed=0):
    from faker import Faker

    fake = Faker("en_US")
    Faker.seed(seed)
    rng = random.Random(seed)
    templates = [
        "Quarterly revenue of {company} rose {n} % on strong demand",
        "{company} cut {n} jobs at its plant, the union said",
        "Please contact {email} about order {n}",
        "Call {phone} to reschedule delivery {n}",
        "{name} was appointed chief executive of {company}",
        "Shares of {company} were flat at {n} euros",
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("text\n")
        for i in range(rows):
            text = rng.choice(templates).format(company=fake.company().replace(",", ""), n=i, email=fake.email(),
                                                phone=fake.phone_number(), name=fake.name())
            f.write(f'"{text}"\n')


def run(csv_path, masking):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command

    import labeling.services.importing as importing
    from labeling.services.projects import create_project

    if not masking:
        import labeling.services.masking
        import privacy.services
        from privacy.masking import MaskResult

        def identity(texts, **options):
            return [MaskResult(text, [], []) for text in texts]

        # The baseline: the same import with the masker swapped out where it is called.
        privacy.services.mask_many = identity
        labeling.services.masking.mask_many = identity
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench")
    project = create_project(user, name="bench", labels=[{"name": "a"}, {"name": "b"}])
    started = time.perf_counter()
    with open(csv_path, "rb") as f:
        job = importing.start_import(project, user, File(f, name="bench.csv"), text_field="text")
    job = importing.run_import(job.id)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"masking": masking, "rows": job.counts["rows"], "imported": job.counts["imported"], "seconds": round(seconds, 2),
            "rows_per_s": round(job.counts["rows"] / seconds), "peak_rss_mb": round(peak_mb)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["on", "off"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.csv, args.child == "on")))
        return
    import subprocess

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "texts.csv"
        make_csv(csv_path, args.rows)
        for masking in ("off", "on"):
            env = {**os.environ, "LOOPLABEL_DATA_DIR": str(Path(tmp) / f"data-{masking}"), "DATABASE_URL": ""}
            env.pop("DATABASE_URL")
            out = subprocess.run([sys.executable, __file__, "--child", masking, "--csv", str(csv_path)], env=env,
                                 capture_output=True, text=True, check=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    print(f"{'masking':<8} {'rows':>8} {'imported':>9} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}")
    for r in results:
        print(f"{str(r['masking']):<8} {r['rows']:>8} {r['imported']:>9} {r['seconds']:>8} {r['rows_per_s']:>8} {r['peak_rss_mb']:>8}")
    ratio = results[1]["seconds"] / results[0]["seconds"]
    print(f"masking costs {ratio:.2f}x the time of an import without it; with it {results[1]['rows_per_s']} rows/s "
          "(target: at least 300 rows/s on 2 cores)")
    out_path = ROOT / "benchmarks" / "results" / "import_throughput.json"
    out_path.write_text(json.dumps({"rows": args.rows, "results": results, "ratio": round(ratio, 2)}, indent=2))


if __name__ == "__main__":
    main()
