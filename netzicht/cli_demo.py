"""`netzicht demo`: the main job from nothing — synthetic exports, ingest, analysis, dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from netzicht.cli_common import StoreOption, handles_errors, out, service


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def demo(
        out_dir: Annotated[Path, typer.Option("--out", help="Where the demo exports go.")] = Path(
            "demo-data"
        ),
        scale: Annotated[int, typer.Option(help="Approximate number of people.")] = 3000,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
        store: StoreOption = None,
        port: Annotated[int, typer.Option(help="Dashboard port.")] = 8501,
        no_dashboard: Annotated[
            bool, typer.Option("--no-dashboard", help="Stop after the analysis.")
        ] = False,
    ) -> None:
        """Generate demo data, ingest every export, analyse, then open the dashboard."""
        from ingest.synth import SynthConfig, generate
        from netzicht.keys import ensure_local_keys
        from netzicht.settings import get_settings

        # The care-coordinator export is pseudonymised at ingest; the demo makes local keys.
        ensure_local_keys(get_settings().data_dir)
        result = generate(SynthConfig(seed=seed, scale=scale), out_dir)
        out.print(f"synth: {result['rows']:,} rows for {result['people']:,} people in {out_dir}")
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        with service(store or f"sqlite:///{out_dir / 'demo.db'}") as svc:
            for export in manifest["exports"]:
                paths = [out_dir / p for p in export["files"]]
                summary = svc.ingest(paths, export["source"], export["mapping"])
                out.print(
                    f"ingest {export['source']}: {summary.rows_read:,} read, "
                    f"{summary.rows_ingested:,} ingested, {summary.rows_quarantined:,} quarantined"
                )
            from netzicht.ads_service import AdsService, ResolutionService

            resolved = ResolutionService.for_service(svc).resolve()
            merge_kinds = ", ".join(f"{n:,} {status}" for status, n in resolved["merges"].items())
            out.print(
                f"resolve: {resolved['records']:,} person records, "
                f"{sum(resolved['merges'].values()):,} merges ({merge_kinds}) into "
                f"{resolved['clusters']:,} clusters of records"
            )
            ads = AdsService.for_service(svc).analyse()
            out.print(f"ads: {ads['ads']:,} ads in {len(ads['clusters']):,} clusters")
            analysis = svc.insight.run_analysis()
            out.print(
                f"analyze: {len(analysis.networks):,} networks among {analysis.people:,} people "
                f"(run {analysis.run_id})"
            )
            store_uri = svc.store.uri
        out.print(f"store: {store_uri}")
        if no_dashboard:
            return
        from netzicht.cli_dashboard import run_dashboard

        raise typer.Exit(run_dashboard(store_uri, port))
