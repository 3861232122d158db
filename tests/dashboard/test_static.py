"""vis-network is served by the dashboard itself (Streamlit static file serving), never a CDN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit import config

from dashboard.state import static_url
from dashboard.vispage import STATIC_DIR, VIS
from netzicht.cli_dashboard import APP, dashboard_command


@pytest.fixture
def options() -> Iterator[None]:
    names = ("server.enableStaticServing", "server.baseUrlPath")
    saved = {name: config.get_option(name) for name in names}
    yield
    for name, value in saved.items():
        config.set_option(name, value)


def test_the_dashboard_serves_its_static_folder() -> None:
    command = dashboard_command("sqlite:///x.db", 8501)
    flag = command.index("--server.enableStaticServing")
    assert command[flag + 1] == "true"
    # Streamlit serves the `static` folder next to the app's main script.
    assert APP.parent / "static" == STATIC_DIR
    assert (STATIC_DIR / VIS / "vis-network.min.js").is_file()


def test_drawings_find_the_library_under_the_servers_base_path(options: None) -> None:
    config.set_option("server.enableStaticServing", True)
    config.set_option("server.baseUrlPath", "")
    assert static_url() == "/app/static"
    config.set_option("server.baseUrlPath", "/netzicht/")
    assert static_url() == "/netzicht/app/static"


def test_without_static_serving_the_drawing_carries_the_library(options: None) -> None:
    config.set_option("server.enableStaticServing", False)
    assert static_url() is None
