import pytest
from django.contrib.auth.models import Group, Permission

from cmm.models import Role
from cmm.permissions import active_membership, grant, permitted, revoke, set_active_membership, user_can
from cmm.roles import role_group_name
from cmm.services import membership_add, membership_change
from cmm.tests.factories import UserFactory
from tests.permapp.models import Document

pytestmark = pytest.mark.django_db

VIEW = "permapp.view_document"


@pytest.fixture(autouse=True)
def caseworkers_may_view_documents(db):
    """Give the caseworker role the model permission, as a later app's entry in cmm.roles would."""
    permission = Permission.objects.get(content_type__app_label="permapp", codename="view_document")
    Group.objects.get(name=role_group_name(Role.CASEWORKER)).permissions.add(permission)


@pytest.fixture
def docs(org_a, org_b):
    return {
        "a": Document.objects.create(organisation=org_a, title="A's own"),
        "b": Document.objects.create(organisation=org_b, title="B's own"),
        "b_shared": Document.objects.create(organisation=org_b, title="B's, shared with A"),
    }


def visible(user, **kwargs):
    return set(permitted(user, VIEW, Document.objects.all(), **kwargs).values_list("title", flat=True))


def test_user_sees_own_organisations_objects_and_those_shared_with_it(users_a, docs, org_a):
    grant(VIEW, docs["b_shared"], organisation=org_a)

    assert visible(users_a[Role.CASEWORKER], owner_field="organisation") == {"A's own", "B's, shared with A"}
    assert user_can(users_a[Role.CASEWORKER], VIEW, docs["b_shared"])
    assert not user_can(users_a[Role.CASEWORKER], VIEW, docs["b"], owner_field="organisation")


def test_without_owner_field_only_granted_objects_are_visible(users_a, docs, org_a):
    grant(VIEW, docs["a"], organisation=org_a)

    assert visible(users_a[Role.CASEWORKER]) == {"A's own"}


def test_model_wide_permission_through_a_group_never_reaches_another_organisation(users_a, docs, org_a):
    user = users_a[Role.CASEWORKER]
    everything = Group.objects.create(name="someone gave out a global permission")
    everything.permissions.add(Permission.objects.get(codename="view_document"))
    user.groups.add(everything)
    user.is_superuser = True
    user.save()

    assert user.has_perm(VIEW)  # Django itself would say yes, model-wide...
    assert visible(user, owner_field="organisation") == {"A's own"}  # ...the permission module does not.
    assert not user_can(user, VIEW, docs["b"], owner_field="organisation")


def test_role_without_the_model_permission_sees_nothing(users_a, docs, org_a):
    grant(VIEW, docs["a"], organisation=org_a)

    assert visible(users_a[Role.ANALYST], owner_field="organisation") == set()


def test_grant_to_one_user_and_revoke(users_a, docs):
    user = users_a[Role.CASEWORKER]
    grant(VIEW, docs["b"], user=user)
    assert user_can(user, VIEW, docs["b"])
    assert not user_can(users_a[Role.OUTREACH_WORKER], VIEW, docs["b"])

    revoke(VIEW, docs["b"], user=user)
    assert not user_can(user, VIEW, docs["b"])


def test_revoking_a_share_removes_access_at_once(users_a, docs, org_a):
    user = users_a[Role.CASEWORKER]
    grant(VIEW, docs["b_shared"], organisation=org_a)
    assert user_can(user, VIEW, docs["b_shared"])

    revoke(VIEW, docs["b_shared"], organisation=org_a)
    assert not user_can(user, VIEW, docs["b_shared"])
    revoke(VIEW, docs["b_shared"], organisation=org_a)  # a second revoke is harmless


def test_member_of_two_organisations_sees_only_the_active_ones_objects(org_a, org_b, docs):
    user = UserFactory()
    in_a = membership_add(user=user, organisation=org_a, role=Role.CASEWORKER)
    in_b = membership_add(user=user, organisation=org_b, role=Role.CASEWORKER)

    assert active_membership(user) is None  # several memberships and no choice: nothing
    assert visible(user, owner_field="organisation") == set()

    set_active_membership(user, in_a)
    assert visible(user, owner_field="organisation") == {"A's own"}
    set_active_membership(user, in_b)
    assert visible(user, owner_field="organisation") == {"B's own", "B's, shared with A"}


def test_role_in_one_organisation_lends_nothing_in_another(org_a, org_b, docs):
    user = UserFactory()
    membership_add(user=user, organisation=org_a, role=Role.ANALYST)
    in_b = membership_add(user=user, organisation=org_b, role=Role.CASEWORKER)
    set_active_membership(user, in_b)

    # Caseworker in B may view documents, but only B's, even though A's are a membership away.
    assert visible(user, owner_field="organisation") == {"B's own", "B's, shared with A"}


def test_ended_membership_or_inactive_user_sees_nothing(users_a, docs, org_a):
    user = users_a[Role.CASEWORKER]
    membership = user.memberships.get()
    membership_change(
        membership=membership, role=Role.CASEWORKER, is_active=False, by=users_a[Role.ORG_ADMIN]
    )
    fresh = type(user).objects.get(pk=user.pk)
    assert visible(fresh, owner_field="organisation") == set()

    other = users_a[Role.OUTREACH_WORKER]
    other.is_active = False
    assert active_membership(other) is None


def test_superuser_without_membership_gets_no_bypass(docs):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert visible(admin, owner_field="organisation") == set()


def test_anonymous_user_sees_nothing(docs):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser(), owner_field="organisation") == set()


def test_cannot_act_under_someone_elses_membership(users_a, users_b):
    with pytest.raises(ValueError):
        set_active_membership(users_a[Role.CASEWORKER], users_b[Role.CASEWORKER].memberships.get())


def test_permission_of_another_model_is_refused(users_a):
    with pytest.raises(ValueError):
        permitted(users_a[Role.CASEWORKER], "cmm.view_membership", Document.objects.all())
