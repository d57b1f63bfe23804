"""The ``carbontrail`` command line. Thin: parses, calls the library, prints.

Commands live in ``carbontrail.commands.<module>`` and are imported only
when used, so ``carbontrail run`` does not pay for plotting or scheduling
imports. This is the only layer that prints or exits; library errors
(:class:`carbontrail.errors.CarbontrailError`) become one line on stderr and
exit status 2 (1 is left to the tracked command's own failures).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from . import __version__
from .errors import CarbontrailError

#: command name -> (module under carbontrail.commands, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("run", "run_cmd", "Run a command and track its energy and emissions."),
    "runs": ("runs", "runs_group", "List and show tracked runs."),
    "init": ("init", "init_cmd", "Write carbontrail.toml for this project."),
    "doctor": ("doctor", "doctor_cmd", "Show which sensors work and how to fix the rest."),
    "locations": ("locations", "locations_cmd", "List and search locations (countries, zones, cloud regions)."),
    "intensity": ("intensity", "intensity_cmd", "Grid carbon intensity for a place and time."),
    "estimate": ("estimate", "estimate_cmd", "Estimate a job's footprint before running it."),
    "hardware": ("hardware", "hardware_cmd", "List and search the hardware catalog."),
    "plan": ("plan", "plan_cmd", "Plan when (and where) to run a job for lower emissions."),
    "simulate": ("simulate", "simulate_cmd", "Evaluate carbon-aware scheduling policies over a series."),
    "compare": ("compare", "compare_cmd", "Compare runs side by side."),
    "report": ("report", "report_cmd", "Report a run or project (text, md, html, latex, json)."),
    "export": ("export", "export_cmd", "Export runs as CSV (CodeCarbon schema) or JSON."),
    "import": ("importcmd", "import_group", "Import history from other tools (CodeCarbon)."),
    "plot": ("plot", "plot_cmd", "Plot power, emissions, intensity or phases of a run."),
    "badge": ("badge", "badge_cmd", "Make a README badge (SVG or shields endpoint JSON)."),
    "card": ("card", "card_cmd", "Hugging Face model-card co2_eq_emissions metadata."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._available(name))

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name][0]
        return importlib.util.find_spec(f"carbontrail.commands.{module}") is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not self._available(cmd_name):
            return None
        module = importlib.import_module(f"carbontrail.commands.{entry[0]}")
        return getattr(module, entry[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="carbontrail")
def cli() -> None:
    """Measure, estimate, report and reduce the carbon footprint of ML jobs.

    Start with `carbontrail run -- python train.py`, or `carbontrail doctor`
    to see what this machine can measure.
    """


def main(argv: list[str] | None = None) -> None:
    """Console entry point: library errors become one line and exit 2."""
    try:
        cli.main(args=argv, prog_name="carbontrail", standalone_mode=False)
    except CarbontrailError as exc:
        click.echo(f"carbontrail: error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("carbontrail: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
