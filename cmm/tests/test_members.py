import pytest
from django.core import mail

from cmm.models import AuditAction, AuditEvent, Membership, Role, User
from cmm.services import membership_add
from cmm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users_a, login):
    return login(users_a[Role.ORG_ADMIN])


def test_org_admin_lists_only_own_organisations_members(admin_client, users_a, users_b):
    response = admin_client.get("/members/")
    assert response.status_code == 200
    page = response.content.decode()
    for user in users_a.values():
        assert user.username in page
    for user in users_b.values():
        assert user.username not in page


def test_member_list_filters(admin_client, users_a):
    caseworker = users_a[Role.CASEWORKER]
    response = admin_client.get("/members/", {"role": Role.CASEWORKER})
    assert [m.user for m in response.context["page"]] == [caseworker]

    response = admin_client.get("/members/", {"q": caseworker.last_name})
    assert [m.user for m in response.context["page"]] == [caseworker]

    response = admin_client.get("/members/", {"role": "not-a-role"})
    assert response.status_code == 200
    assert "role" in response.context["filter"].form.errors


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ORG_ADMIN])
def test_other_roles_may_not_manage_members(client, users_a, login, role):
    login(users_a[role])
    assert client.get("/members/").status_code == 403
    assert client.get("/members/new/").status_code == 403
    target = users_a[Role.CASEWORKER].memberships.get()
    assert client.post(f"/members/{target.pk}/", {"role": Role.ANALYST}).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.CASEWORKER


def test_another_organisations_member_is_not_found(admin_client, users_b):
    foreign = users_b[Role.CASEWORKER].memberships.get()
    assert admin_client.get(f"/members/{foreign.pk}/").status_code == 404
    assert (
        admin_client.post(f"/members/{foreign.pk}/", {"role": Role.ANALYST, "is_active": "on"}).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.role == Role.CASEWORKER


def test_member_list_query_count_does_not_grow_with_members(
    admin_client, org_a, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        admin_client.get("/members/")
    for _ in range(30):
        membership_add(user=UserFactory(), organisation=org_a, role=Role.OUTREACH_WORKER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get("/members/")
    assert response.context["page"].paginator.count == 36


def test_org_admin_adds_a_member_who_gets_a_link_to_choose_a_password(
    admin_client, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/members/new/",
            {
                "username": "new.worker",
                "first_name": "Nina",
                "last_name": "Ny",
                "email": "nina@example.org",
                "role": Role.OUTREACH_WORKER,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(username="new.worker")
    assert not user.has_usable_password()
    assert user.memberships.get().organisation == org_a
    assert len(mail.outbox) == 1
    assert "/accounts/password-reset/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_ADDED, target_label="new.worker").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "", "Dette felt er påkrævet."),
        ("username", "has space", "Indtast et gyldigt brugernavn."),
        ("email", "not-an-email", "Angiv en gyldig e-mailadresse."),
        ("role", "boss", "Marker en gyldig valgmulighed."),
    ],
)
def test_bad_member_input_is_shown_next_to_the_field(admin_client, field, value, message):
    data = {
        "username": "ok.name",
        "first_name": "A",
        "last_name": "B",
        "email": "a@example.org",
        "role": Role.CASEWORKER,
        field: value,
    }
    response = admin_client.post("/members/new/", data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not User.objects.filter(username="ok.name").exists()


def test_taken_username_is_refused(admin_client, users_b):
    taken = users_b[Role.CASEWORKER].username.upper()
    response = admin_client.post(
        "/members/new/",
        {
            "username": taken,
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "role": Role.CASEWORKER,
        },
    )
    assert response.status_code == 400
    assert "Brugernavnet er allerede i brug." in response.content.decode()


def test_org_admin_changes_a_role_and_ends_a_membership(admin_client, users_a):
    target = users_a[Role.CASEWORKER].memberships.get()
    response = admin_client.post(f"/members/{target.pk}/", {"role": Role.ANALYST})  # unticked: ends it
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.ANALYST, False)
    event = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP_ENDED)
    assert event.detail == {"role": [Role.CASEWORKER, Role.ANALYST], "is_active": [True, False]}


def test_ended_member_loses_access_at_the_next_request(client, users_a, login):
    from cmm.services import membership_change

    worker = users_a[Role.ORG_ADMIN]
    login(worker)
    assert client.get("/members/").status_code == 200
    membership_change(
        membership=worker.memberships.get(), role=Role.ORG_ADMIN, is_active=False, by=users_a[Role.CASEWORKER]
    )
    # Ending the membership ended the member's sessions (cmm.security): back to the login page.
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_org_admin_cannot_end_own_membership(admin_client, users_a):
    own = users_a[Role.ORG_ADMIN].memberships.get()
    response = admin_client.post(f"/members/{own.pk}/", {"role": Role.ORG_ADMIN})
    assert response.status_code == 400
    assert "Du kan ikke afslutte dit eget medlemskab." in response.content.decode()
    own.refresh_from_db()
    assert own.is_active


def test_member_pages_render_in_english(admin_client):
    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = admin_client.get("/members/").content.decode()
    assert "Add member" in page
    assert Membership.objects.count() == 6


def test_a_new_member_follows_the_welcome_mail_to_a_password_and_logs_in(
    admin_client, client, org_a, django_capture_on_commit_callbacks
):
    """The welcome e-mail sends the new member to the reset page; the account has no usable password yet, and
    Django's reset form skips such accounts, so the member must still get a link."""
    import re

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/members/new/",
            {
                "username": "new.worker",
                "first_name": "Nina",
                "last_name": "Ny",
                "email": "nina@example.org",
                "role": Role.OUTREACH_WORKER,
            },
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": "Nina@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(
        set_url, {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"}
    )
    assert done.status_code == 302
    assert User.objects.get(username="new.worker").check_password("a-long-new-passphrase")


def test_an_account_without_password_and_without_membership_gets_no_reset_link(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="nobody@example.org")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert mail.outbox == []
