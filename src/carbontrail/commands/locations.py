"""`carbontrail locations [QUERY]`: list and search countries, grid zones and cloud regions."""

from __future__ import annotations

import click

from ._common import echo_json


@click.command("locations")
@click.argument("query", required=False)
@click.option("--kind", type=click.Choice(["country", "zone", "state", "province", "egrid", "cloud", "world"]),
              help="only this kind of location")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def locations_cmd(query: str | None, kind: str | None, as_json: bool) -> None:
    """List locations, or those matching QUERY (code, name or alias; case-insensitive).

    Use a code with --location or CARBONTRAIL_LOCATION: FR, US-CAL-CISO, SE-SE3,
    aws:us-east-1, gcp:europe-west6, azure:westeurope.
    """
    from ..errors import UnknownLocationError
    from ..intensity.locations import all_locations, close_matches, location_kind, search_locations

    locs = search_locations(query) if query else all_locations()
    if kind:
        locs = [loc for loc in locs if location_kind(loc.code) == kind]
    if query and not locs:
        raise UnknownLocationError(query, close_matches(query))
    if as_json:
        echo_json([{**loc.to_dict(), "kind": location_kind(loc.code)} for loc in locs])
        return
    width = max((len(loc.code) for loc in locs), default=4)
    for loc in locs:
        zone = f"  grid {loc.grid_zone}" if loc.provider and loc.grid_zone else ""
        click.echo(f"{loc.code:<{width}}  {location_kind(loc.code):<8}  {loc.name}{zone}")
    click.echo(f"{len(locs)} locations", err=True)
