"""What the API shows of each object, and what it accepts. Reads only: the writes go
through the apps' services, which hold the rules (``api/views``)."""

from django.urls import reverse
from rest_framework import serializers

from api import fields
from cutover.models import StepEventKind
from decisions.models import Decision
from projects.models import Membership, Project
from reviews.models import ItemStatus, Review, SignOff
from risks.models import ActionStatus, Category, MitigationAction, Risk, RiskStatus, RiskType
from summaries.models import SummaryReport

# --- Projects and members ------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    my_role = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = ["id", "name", "customer", "description", "go_live_date", "phase", "my_role"]


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField(source="user")
    email = serializers.EmailField(source="user.email")
    signoff_roles = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Membership
        fields = ["id", "user_id", "name", "email", "role", "signoff_roles"]


# --- Reviews, items and sign-offs ----------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer):
    facilitator = serializers.CharField(allow_null=True, default=None)
    item_count = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Review
        fields = ["id", "title", "status", "scheduled_date", "facilitator", "item_count"]


class SignOffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    signer_id = serializers.IntegerField()
    signer = serializers.CharField()
    as_role = serializers.CharField()
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices)
    comment = serializers.CharField()
    item_version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(allow_null=True)


class ItemSerializer(serializers.Serializer):
    """An item as the review page lists it: its response and where its sign-offs stand."""

    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    section = serializers.CharField(source="section.key")
    severity = serializers.CharField()
    mandatory = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    response = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    owner = serializers.CharField(allow_null=True, default=None)
    due_date = serializers.DateField(allow_null=True)
    is_blocker = serializers.BooleanField()
    to_reconfirm = serializers.BooleanField()
    signoff_roles = serializers.ListField(child=serializers.CharField())
    signed = serializers.BooleanField(source="signoff.signed")
    awaited_roles = serializers.ListField(
        child=serializers.CharField(), source="signoff.awaited_roles"
    )
    version = serializers.IntegerField(help_text="Send it back with an update.")


class ItemDetailSerializer(ItemSerializer):
    description = serializers.CharField()
    blocker_reason = serializers.CharField()
    updated_at = serializers.DateTimeField()
    signoffs = SignOffSerializer(many=True, source="signoff_list")


class ItemUpdateSerializer(serializers.Serializer):
    """Fields left out stay as they are; ``version`` is the one the client read."""

    version = fields.Whole(min_value=1)
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    response = fields.Text(required=False, allow_blank=True, max_length=20000)
    owner_id = fields.Whole(required=False, allow_null=True, min_value=1)
    due_date = serializers.DateField(required=False, allow_null=True)


class SignOffGiveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[(SignOff.Decision.APPROVE, "Approve"), (SignOff.Decision.REJECT, "Reject")]
    )
    comment = fields.Text(required=False, allow_blank=True, default="", max_length=2000)
    as_role = fields.Text(required=False, allow_blank=True, default="", max_length=40)


class SignOffRevokeSerializer(serializers.Serializer):
    comment = fields.Text(required=False, allow_blank=True, default="", max_length=2000)


# --- Findings and mitigation actions -------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    finding_id = serializers.IntegerField(source="risk_id")
    owner = serializers.CharField()

    class Meta:
        model = MitigationAction
        fields = [
            "id", "finding_id", "description", "owner_id", "owner", "due_date", "status",
            "notes", "completed_at", "version",
        ]  # fmt: skip


class FindingSerializer(serializers.ModelSerializer):
    reference = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    severity = serializers.CharField(allow_null=True)
    area = serializers.CharField(source="area.key", allow_null=True, default=None)
    open_action_count = serializers.IntegerField(required=False)
    no_mitigation_plan = serializers.BooleanField(required=False)

    class Meta:
        model = Risk
        fields = [
            "id", "reference", "title", "type", "category", "status", "likelihood", "impact",
            "score", "severity", "is_blocker", "area", "review_id", "review_item_id",
            "open_action_count", "no_mitigation_plan", "version",
        ]  # fmt: skip


class FindingDetailSerializer(FindingSerializer):
    actions = ActionSerializer(many=True, source="action_list")

    class Meta(FindingSerializer.Meta):
        fields = [
            *FindingSerializer.Meta.fields, "description", "recommendation", "workaround",
            "raised_by_id", "accepted_by_id", "accepted_at", "acceptance_reason",
            "acceptance_expires_on", "created_at", "updated_at", "actions",
        ]  # fmt: skip


RATING = {"min_value": 1, "max_value": 5, "allow_null": True, "required": False}


class FirstActionSerializer(serializers.Serializer):
    description = fields.Text(max_length=2000)
    owner_id = fields.Whole(min_value=1)
    due_date = serializers.DateField(required=False, allow_null=True)


class FindingCreateSerializer(serializers.Serializer):
    title = fields.Text(max_length=200)
    type = serializers.ChoiceField(choices=RiskType.choices, default=RiskType.RISK)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    description = fields.Text(required=False, allow_blank=True, default="")
    recommendation = fields.Text(required=False, allow_blank=True, default="")
    likelihood = fields.Whole(**RATING)
    impact = fields.Whole(**RATING)
    is_blocker = fields.Flag(required=False, default=False)
    workaround = fields.Text(required=False, allow_blank=True, default="")
    review_item_id = fields.Whole(required=False, allow_null=True, min_value=1)
    first_action = FirstActionSerializer(required=False)


class FindingUpdateSerializer(serializers.Serializer):
    """Fields left out stay as they are; accepting a risk is done on its page."""

    version = fields.Whole(min_value=1)
    title = fields.Text(max_length=200, required=False)
    type = serializers.ChoiceField(choices=RiskType.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    status = serializers.ChoiceField(
        choices=[c for c in RiskStatus.choices if c[0] != RiskStatus.ACCEPTED], required=False
    )
    description = fields.Text(required=False, allow_blank=True)
    recommendation = fields.Text(required=False, allow_blank=True)
    likelihood = fields.Whole(**RATING)
    impact = fields.Whole(**RATING)
    is_blocker = fields.Flag(required=False)
    workaround = fields.Text(required=False, allow_blank=True)


class ActionCreateSerializer(serializers.Serializer):
    description = fields.Text(max_length=2000)
    owner_id = fields.Whole(min_value=1)
    due_date = serializers.DateField(required=False, allow_null=True)
    notes = fields.Text(required=False, allow_blank=True, default="")


class ActionUpdateSerializer(serializers.Serializer):
    version = fields.Whole(min_value=1)
    description = fields.Text(max_length=2000, required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    notes = fields.Text(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)


# --- Decisions --------------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    review_title = serializers.CharField(source="review.title")
    recorded_by = serializers.CharField(allow_null=True, default=None)
    effective_outcome = serializers.CharField()

    class Meta:
        model = Decision
        fields = [
            "id", "review_id", "review_title", "outcome", "effective_outcome", "rationale",
            "what_must_change", "new_go_live_date", "overridden", "override_reason",
            "recorded_by", "recorded_at", "reverted_at",
        ]  # fmt: skip


class DecisionDetailSerializer(DecisionSerializer):
    snapshot = serializers.JSONField(help_text="What the gate showed when it was decided (frozen).")

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "snapshot"]


# --- Cutover ------------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    owner = serializers.CharField(allow_null=True, default=None)
    backup_owner_id = serializers.IntegerField(allow_null=True)
    duration_minutes = serializers.IntegerField()
    is_checkpoint = serializers.BooleanField()
    is_rollback = serializers.BooleanField()
    plan_version = serializers.IntegerField(source="plan_version.number")


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    plan_version = serializers.IntegerField(source="plan_version.number")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class StepMarkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(StepEventKind.STARTED, "Started"), (StepEventKind.DONE, "Done")]
    )
    note = fields.Text(required=False, allow_blank=True, default="", max_length=2000)
    seen = fields.Whole(
        required=False, allow_null=True, min_value=0, default=None,
        help_text="The id of the step's last event you saw (0 for none): a mark on top of "
        "an older state is refused with a 409.",
    )  # fmt: skip


class StepEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    run_id = serializers.IntegerField()
    step_id = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField()
    note = serializers.CharField()


# --- Summaries ----------------------------------------------------------------------------------


class SummarySerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = SummaryReport
        fields = [
            "id", "review_id", "status", "pages", "error", "created_at", "finished_at",
            "send_requested", "sent_at", "pdf_url",
        ]  # fmt: skip

    def get_pdf_url(self, report) -> str | None:
        if not report.is_ready:
            return None
        path = reverse("api:summary_pdf", args=[report.review.project_id, report.pk])
        return self.context["request"].build_absolute_uri(path)


class SummaryRequestSerializer(serializers.Serializer):
    send = fields.Flag(
        default=False, help_text="E-mail the PDF to the approvers and the project manager."
    )
