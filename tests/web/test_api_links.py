"""OpenAPI links from each list to its record route, derived from the paths."""

from __future__ import annotations

from tsbkart.web.api.links import add_links


def test_a_list_links_to_the_record_route_below_it() -> None:
    schema = {
        "paths": {
            "/api/v1/units": {"get": {"responses": {"200": {"description": "OK"}}}},
            "/api/v1/units/{unit_id}": {"get": {}},
            "/api/v1/areas": {"get": {}},
            "/api/v1/areas/{code}": {"get": {}},
            "/api/v1/units.geojson": {"get": {}},
            "/api/v1/lonely/{x_id}": {"get": {}},  # no list above it: no link
        }
    }
    paths = add_links(schema)["paths"]
    assert paths["/api/v1/units"]["get"]["responses"]["200"]["links"]["record"] == {
        "operationRef": "#/paths/~1api~1v1~1units~1{unit_id}/get",
        "parameters": {"unit_id": "$response.body#/items/0/id"},
        "description": "The first listed record (id) at /api/v1/units/{unit_id}",
    }
    area_link = paths["/api/v1/areas"]["get"]["responses"]["200"]["links"]["record"]
    assert area_link["parameters"] == {"code": "$response.body#/items/0/code"}
    assert "links" not in str(paths["/api/v1/units.geojson"])
    assert "/api/v1/lonely" not in paths
