import pytest
from django.test import Client


@pytest.mark.django_db
def test_every_role_client_is_logged_in_except_the_anonymous_one(role_clients: dict[str, Client]) -> None:
    for role, client in role_clients.items():
        assert ("_auth_user_id" in client.session) == (role != "anonymous")
