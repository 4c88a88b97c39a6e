"""Regenerate the generated parts of docs/, from the repository root:

python -m w2vtheory.documentation configuration
    docs/configuration.md from schemas/config.schema.yaml and config.yaml
python -m w2vtheory.documentation results [RESULTS] [--seeds RESULTS_SEED1 ...]
    the tables of docs/results.md from a finished default job (RESULTS, default results/)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from w2vtheory.atomic import write_text
from w2vtheory.documentation.configuration import (
    CONFIG_PATH,
    DOCUMENT_PATH,
    SCHEMA_PATH,
    configuration_markdown,
)
from w2vtheory.documentation.results import render_headline, render_results
from w2vtheory.errors import InputError

RESULTS_DOCUMENT = "docs/results.md"
README = "README.md"
REPORT_FRONT_PAGE = "report/workflow.rst"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("configuration", help=f"write {DOCUMENT_PATH}")
    results = commands.add_parser(
        "results",
        help=f"rewrite the generated tables of {RESULTS_DOCUMENT}, {README} and {REPORT_FRONT_PAGE}",
    )
    results.add_argument("results", nargs="?", type=Path, default=Path("results"), help="a finished job's results/")
    results.add_argument(
        "--seeds", nargs="*", type=Path, default=[], help="results/ directories of the same job run with other seeds"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "configuration":
            schema = yaml.safe_load(Path(SCHEMA_PATH).read_text(encoding="utf-8"))
            config = yaml.safe_load(Path(CONFIG_PATH).read_text(encoding="utf-8"))
            write_text(DOCUMENT_PATH, configuration_markdown(schema, config))
            print(f"wrote {DOCUMENT_PATH}")
        else:
            document = Path(RESULTS_DOCUMENT).read_text(encoding="utf-8")
            write_text(RESULTS_DOCUMENT, render_results(document, args.results, args.seeds))
            for path, rst in ((README, False), (REPORT_FRONT_PAGE, True)):
                text = Path(path).read_text(encoding="utf-8")
                write_text(path, render_headline(text, args.results, rst))
            print(f"rewrote the generated tables of {RESULTS_DOCUMENT}, {README} and {REPORT_FRONT_PAGE}")
    except (InputError, OSError) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
