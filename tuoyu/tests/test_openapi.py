"""The OpenAPI schema at /api/openapi.json and the docs at /api/docs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db  # the docs page renders through the site's context processors

ENDPOINTS = {
    ("get", "/api/v1/indicators"): "IndicatorReportOut",
    ("get", "/api/v1/townships"): "TownshipOut",
    ("get", "/api/v1/institutions"): "InstitutionPage",
    ("get", "/api/v1/institutions/{institution_id}"): "InstitutionDetail",
    ("get", "/api/v1/institutions/{institution_id}/staff"): "StaffList",
    ("post", "/api/v1/institutions/{institution_id}/classes"): "ClassOut",
    ("patch", "/api/v1/classes/{class_id}"): "ClassOut",
    ("post", "/api/v1/institutions/{institution_id}/fees"): "FeeOut",
}
REQUEST_BODIES = {
    ("post", "/api/v1/institutions/{institution_id}/classes"): "ClassIn",
    ("patch", "/api/v1/classes/{class_id}"): "ClassPatch",
    ("post", "/api/v1/institutions/{institution_id}/fees"): "FeeIn",
}


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _success_schema(operation: dict[str, Any]) -> str:
    status = "201" if "201" in operation["responses"] else "200"
    content = operation["responses"][status]["content"]["application/json"]["schema"]
    text = json.dumps(content)
    return text


def test_schema_is_openapi_3(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    assert "临海" in schema["info"]["title"]


def test_endpoints_are_listed_with_their_schemas(schema: dict[str, Any]) -> None:
    for (method, path), response_schema in ENDPOINTS.items():
        operation = schema["paths"][path][method]
        assert f"#/components/schemas/{response_schema}" in _success_schema(operation), (method, path)
        assert operation["summary"]
        assert operation["operationId"]
    for (method, path), body_schema in REQUEST_BODIES.items():
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{body_schema}"}
        assert "422" in schema["paths"][path][method]["responses"]


def test_only_the_indicators_are_public(schema: dict[str, Any]) -> None:
    for (method, path), _response_schema in ENDPOINTS.items():
        security = schema["paths"][path][method].get("security")
        if path == "/api/v1/indicators":
            assert not security
        else:
            assert security == [{"SessionAuth": []}], (method, path)
    assert schema["components"]["securitySchemes"]["SessionAuth"]["in"] == "cookie"


def test_component_schemas(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert set(components["IndicatorsOut"]["properties"]) == {
        "fee_ratio",
        "slots_per_1000",
        "kindergarten_share",
        "puhui_share",
        "certified_share",
        "catalog_published",
    }
    assert set(components["FigureOut"]["properties"]) == {
        "numerator",
        "denominator",
        "value",
        "target",
        "met",
    }
    staff = components["StaffOut"]["properties"]
    assert "id_number_masked" in staff
    assert not {"id_number", "id_number_ciphertext", "id_number_index", "phone"} & set(staff)
    assert components["ClassType"]["enum"] == ["infant", "toddler", "older", "mixed"]
    assert set(components["FieldErrorOut"]["properties"]) == {"field", "message"}
    # Descriptions in Chinese and English.
    assert "核定托位" in components["ClassIn"]["properties"]["approved_slots"]["description"]
    assert "approved slots" in components["ClassIn"]["properties"]["approved_slots"]["description"]
    # Dates are ISO dates.
    assert components["FeeIn"]["properties"]["effective_from"]["format"] == "date"
    as_of = next(
        parameter
        for parameter in schema["paths"]["/api/v1/indicators"]["get"]["parameters"]
        if parameter["name"] == "as_of"
    )
    assert as_of["in"] == "query"
    assert not as_of.get("required", False)


def test_docs_are_served(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.mark.django_db
def test_the_api_docs_load_nothing_from_the_internet(client: Client) -> None:
    response = client.get("/api/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert not re.search(r'(src|href)="https?://', html)
