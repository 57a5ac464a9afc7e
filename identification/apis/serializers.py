"""What the identification API answers: presentations, their evidence, decisions and tasks.

Identifying text (the police's reasons, the interview narrative, a document's original file name) is shown
only to a caller who may see the case's personal details; the others get null in its place and a flag that
says so.
"""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.apis.case import UserRefSerializer
from cases.apis.common import NamedChoiceField
from cases.choices import ExploitationType, ResidenceStatus
from cases.personal_texts import decision_reasons_visible
from identification.choices import Authority, Finding, Outcome, PresentedBy, TaskKind, TaskStatus
from identification.models import (
    Attachment,
    CourtVerdict,
    Decision,
    IdentificationForm,
    IdentificationTask,
    PoliceAssessment,
    Presentation,
)
from identification.rules import competent_authority
from outreach.apis.common import CaseRefSerializer
from outreach.choices import Indicator

# --- References -----------------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


# --- Decisions and tasks --------------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    """A recorded decision; a correction names the decision it corrects, which stays in the history."""

    outcome = NamedChoiceField(Outcome, read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    authority = NamedChoiceField(Authority, read_only=True)
    exploitation_types = serializers.ListField(child=NamedChoiceField(ExploitationType), read_only=True)
    decided_by = UserRefSerializer(read_only=True, allow_null=True)
    organisation = OrganisationRefSerializer(read_only=True)
    corrects = serializers.IntegerField(
        source="corrects_id", read_only=True, allow_null=True, help_text="Id of the decision this corrects."
    )
    reasons = serializers.SerializerMethodField(
        help_text="The decision's reasons; null unless the caller may see the case's personal details or "
        "acts for the deciding organisation."
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "outcome",
            "outcome_label",
            "decided_on",
            "authority",
            "exploitation_types",
            "reasons",
            "decided_by",
            "organisation",
            "corrects",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_reasons(self, decision) -> str | None:
        visible = decision_reasons_visible(
            decision,
            details_visible=bool(self.context.get("personal_details_shown")),
            organisation_id=self.context.get("organisation_id"),
        )
        return decision.reasons if visible else None


def current_of(decisions) -> Decision | None:
    """The decision no later decision corrects, from an already loaded list (no query)."""
    corrected = {decision.corrects_id for decision in decisions}
    return next((decision for decision in decisions if decision.pk not in corrected), None)


class TaskSerializer(serializers.ModelSerializer):
    """Something that must follow an identification, with its due date and the organisation responsible."""

    kind = NamedChoiceField(TaskKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = NamedChoiceField(TaskStatus, read_only=True)
    case = CaseRefSerializer(read_only=True)
    presentation = serializers.IntegerField(source="presentation_id", read_only=True)
    responsible_organisation = serializers.IntegerField(source="responsible_organisation_id", read_only=True)
    done_by = UserRefSerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = IdentificationTask
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "case",
            "presentation",
            "responsible_organisation",
            "due_on",
            "done_on",
            "done_by",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, task) -> bool:
        return task.status == TaskStatus.OPEN and task.due_on < timezone.localdate()


# --- Evidence -------------------------------------------------------------------------------------------


class PoliceAssessmentSerializer(serializers.ModelSerializer):
    finding = NamedChoiceField(Finding, read_only=True)
    finding_label = serializers.CharField(source="get_finding_display", read_only=True)
    text = serializers.SerializerMethodField(
        help_text="The police's reasons; null unless the caller may see the case's personal details."
    )

    class Meta:
        model = PoliceAssessment
        fields = ["id", "assessed_on", "finding", "finding_label", "text", "recorded_at"]
        read_only_fields = fields

    def get_text(self, assessment) -> str | None:
        return assessment.text if self.context.get("personal_details_shown") else None


class IdentificationFormSerializer(serializers.ModelSerializer):
    indicators = serializers.ListField(child=NamedChoiceField(Indicator), read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    narrative = serializers.SerializerMethodField(
        help_text="The interview narrative; null unless the caller may see the case's personal details."
    )

    class Meta:
        model = IdentificationForm
        fields = [
            "id",
            "interviewed_on",
            "indicators",
            "interpreter_used",
            "interpreter_language",
            "narrative",
            "organisation",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_narrative(self, form) -> str | None:
        return form.narrative if self.context.get("personal_details_shown") else None


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(
        help_text="The original file name; null unless the caller may see the case's personal details."
    )
    download = serializers.SerializerMethodField(
        help_text="Where to download the document; null when the caller may not."
    )

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_at", "download"]
        read_only_fields = fields

    def get_name(self, attachment) -> str | None:
        return attachment.name if self.context.get("personal_details_shown") else None

    def get_download(self, attachment) -> str | None:
        if not self.context.get("documents_shown"):
            return None
        return reverse(
            "api-identification-attachment",
            kwargs={"pk": attachment.presentation_id, "attachment_id": attachment.pk},
        )


class CourtVerdictSerializer(serializers.ModelSerializer):
    finding = NamedChoiceField(Finding, read_only=True)
    finding_label = serializers.CharField(source="get_finding_display", read_only=True)
    court = serializers.SerializerMethodField(
        help_text="The court's name; null unless the caller may see the case's personal details."
    )

    class Meta:
        model = CourtVerdict
        fields = ["id", "court", "ruled_on", "finding", "finding_label", "recorded_at"]
        read_only_fields = fields

    def get_court(self, verdict) -> str | None:
        return verdict.court if self.context.get("personal_details_shown") else None


# --- Presentations --------------------------------------------------------------------------------------


class PresentationSerializer(serializers.ModelSerializer):
    """A presentation in a list: who decides, and whether a decision is recorded.

    Expects the presentation's decisions prefetched (the lists do), so that a page costs the same queries
    however long it is.
    """

    case = CaseRefSerializer(read_only=True)
    presented_by = NamedChoiceField(PresentedBy, read_only=True)
    presented_by_label = serializers.CharField(source="get_presented_by_display", read_only=True)
    residence_status = NamedChoiceField(ResidenceStatus, read_only=True)
    residence_status_label = serializers.CharField(source="get_residence_status_display", read_only=True)
    authority = serializers.SerializerMethodField(
        help_text="The competent authority; null while the residence status at presentation is unknown."
    )
    authority_label = serializers.SerializerMethodField()
    authority_organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    outcome = serializers.SerializerMethodField(
        help_text="The current decision's outcome; null while pending."
    )
    pending = serializers.SerializerMethodField(help_text="True while no decision is recorded.")

    class Meta:
        model = Presentation
        fields = [
            "id",
            "case",
            "presented_on",
            "presented_by",
            "presented_by_label",
            "residence_status",
            "residence_status_label",
            "authority",
            "authority_label",
            "authority_organisation",
            "outcome",
            "pending",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedChoiceField(Authority, allow_null=True))
    def get_authority(self, presentation):
        return presentation.authority or None

    def get_authority_label(self, presentation) -> str | None:
        return presentation.get_authority_display() if presentation.authority else None

    @extend_schema_field(NamedChoiceField(Outcome, allow_null=True))
    def get_outcome(self, presentation):
        current = current_of(list(presentation.decisions.all()))
        return current.outcome if current else None

    def get_pending(self, presentation) -> bool:
        return not presentation.decisions.all()


class PresentationDetailSerializer(PresentationSerializer):
    """A presentation with the rule that picked the authority, its evidence, decisions and open tasks.

    The context says what the caller may see: `personal_details_shown`, `documents_shown`, and the
    `decision_refusal` (why the caller may not record the decision, or None).
    """

    rule = serializers.SerializerMethodField(help_text="The routing rule applied, in plain words.")
    decision_refusal = serializers.SerializerMethodField(
        help_text="Why the caller cannot record the decision; null when they can."
    )
    personal_details_shown = serializers.SerializerMethodField(
        help_text="False when identifying text (reasons, narrative, file names) is left out as null."
    )
    decision = serializers.SerializerMethodField(help_text="The current decision; null while pending.")
    decisions = serializers.SerializerMethodField(
        help_text="Every decision, corrected ones included, newest first."
    )
    tasks = serializers.SerializerMethodField(help_text="Open tasks that follow the decision.")
    police_assessments = serializers.SerializerMethodField()
    forms = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    verdicts = serializers.SerializerMethodField()

    class Meta(PresentationSerializer.Meta):
        fields = [
            *PresentationSerializer.Meta.fields,
            "rule",
            "age_at_presentation",
            "unaccompanied_minor",
            "created_at",
            "decision_refusal",
            "personal_details_shown",
            "decision",
            "decisions",
            "tasks",
            "police_assessments",
            "forms",
            "attachments",
            "verdicts",
        ]
        read_only_fields = fields

    def get_rule(self, presentation) -> str:
        return competent_authority(presentation.residence_status).explanation

    def get_decision_refusal(self, presentation) -> str | None:
        refusal = self.context.get("decision_refusal")
        return str(refusal) if refusal else None

    def get_personal_details_shown(self, presentation) -> bool:
        return bool(self.context.get("personal_details_shown"))

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, presentation):
        current = current_of(list(presentation.decisions.all()))
        return DecisionSerializer(current, context=self.context).data if current else None

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, presentation):
        return DecisionSerializer(presentation.decisions.all(), many=True, context=self.context).data

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, presentation):
        open_tasks = [task for task in presentation.tasks.all() if task.status == TaskStatus.OPEN]
        return TaskSerializer(open_tasks, many=True).data

    @extend_schema_field(PoliceAssessmentSerializer(many=True))
    def get_police_assessments(self, presentation):
        return PoliceAssessmentSerializer(
            presentation.police_assessments.all(), many=True, context=self.context
        ).data

    @extend_schema_field(IdentificationFormSerializer(many=True))
    def get_forms(self, presentation):
        return IdentificationFormSerializer(presentation.forms.all(), many=True, context=self.context).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, presentation):
        return AttachmentSerializer(presentation.attachments.all(), many=True, context=self.context).data

    @extend_schema_field(CourtVerdictSerializer(many=True))
    def get_verdicts(self, presentation):
        return CourtVerdictSerializer(presentation.verdicts.all(), many=True, context=self.context).data
