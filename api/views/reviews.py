"""Reviews and their items: read, update with the version rule, sign off."""

from django import forms
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import serializers
from api.views.common import ProjectList, ProjectScoped, created, filters_from, require, valid
from projects import permissions
from projects.selectors import member_users, memberships_of_project
from reviews.models import ItemStatus
from reviews.selectors.items import item_detail, item_get, review_items
from reviews.selectors.reviews import (
    filter_items,
    review_get,
    reviews_of_project_query,
    with_item_counts,
)
from reviews.services.items import review_item_update
from reviews.services.signoffs import item_sign_off, item_sign_off_revoke


class ReviewListView(ProjectList):
    serializer_class = serializers.ReviewSerializer

    def get_queryset(self):
        return reviews_of_project_query(self.access.project)

    def decorate(self, rows):
        return with_item_counts(rows)


class ReviewDetailView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.ReviewSerializer

    def get(self, request, project_pk, review_pk):
        review = with_item_counts([review_get(self.access, review_pk)])[0]
        return Response(self.get_serializer(review).data)


FLAG = forms.ChoiceField(required=False, choices=[("", ""), ("1", "yes")])


class ItemFilterForm(forms.Form):
    """The review page's filters (``reviews.selectors.reviews.ITEM_FILTERS``), checked."""

    status = forms.ChoiceField(required=False, choices=[("", ""), *ItemStatus.choices])
    owner = forms.RegexField(required=False, regex=r"^(me|none|\d+)$")
    section = forms.SlugField(required=False)
    open = FLAG
    blocker = FLAG
    blocking = FLAG
    rejected = FLAG
    reconfirm = FLAG
    awaiting = forms.ChoiceField(required=False, choices=[("", ""), ("me", "me")])


def _flag(name, description):
    return OpenApiParameter(name, str, enum=["1"], description=description)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=ItemStatus.values),
        OpenApiParameter(
            "owner", str, pattern=r"^(me|none|\d+)$", description="me, none or a user id"
        ),
        OpenApiParameter("section", str, description="The section's key"),
        _flag("open", "Still to do"),
        _flag("blocker", "Open go-live blockers"),
        _flag("blocking", "Blocking and not done"),
        _flag("rejected", "With a rejection"),
        _flag("reconfirm", "Carried forward, to re-confirm"),
        OpenApiParameter("awaiting", str, enum=["me"], description="Awaiting my sign-off"),
    ]
)
class ItemListView(ProjectList):
    """A review's items in checklist order, filtered like the review page."""

    serializer_class = serializers.ItemSerializer

    def get_queryset(self):
        review = review_get(self.access, self.kwargs["review_pk"])
        params = filters_from(ItemFilterForm(self.request.query_params))
        members = memberships_of_project(review.project_id, order=("pk",))
        items = review_items(review, users={m.user_id: m.user for m in members})
        return filter_items(items, self.access, params)


def _owner(access, owner_id):
    """The member ``owner_id`` names; anyone else is a 400 on ``owner_id``."""
    if owner_id is None:
        return None
    owner = member_users(access.project).filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": "Choose a member of the project."})
    return owner


def _item_body(access, item, request):
    item_detail(access, item)
    return serializers.ItemDetailSerializer(item, context={"request": request}).data


class ItemDetailView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.ItemDetailSerializer

    def get(self, request, project_pk, review_pk, item_pk):
        return Response(_item_body(self.access, item_get(self.access, review_pk, item_pk), request))

    @extend_schema(request=serializers.ItemUpdateSerializer)
    def patch(self, request, project_pk, review_pk, item_pk):
        """Change status, response, owner or due date. A stale ``version`` is a 409 that
        names who changed what since."""
        item = item_get(self.access, review_pk, item_pk)
        require(
            permissions.can_edit_item(self.access, item),
            "Only the facilitator, the project manager and the item's owner edit it.",
        )
        data = valid(serializers.ItemUpdateSerializer, request)
        version = data.pop("version")
        if "owner_id" in data:
            data["owner"] = _owner(self.access, data.pop("owner_id"))
        item = review_item_update(item=item, acting_user=request.user, version=version, **data)
        return Response(_item_body(self.access, item_get(self.access, review_pk, item_pk), request))


class SignOffGiveView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.SignOffSerializer

    @extend_schema(
        request=serializers.SignOffGiveSerializer, responses={201: serializers.SignOffSerializer}
    )
    def post(self, request, project_pk, review_pk, item_pk):
        """Approve or reject the item as a stakeholder role you hold (a rejection needs a
        comment)."""
        item = item_get(self.access, review_pk, item_pk)
        data = valid(serializers.SignOffGiveSerializer, request)
        record = item_sign_off(item=item, acting_user=request.user, **data)
        return created(self.get_serializer(record).data)


class SignOffRevokeView(ProjectScoped, generics.GenericAPIView):
    serializer_class = serializers.SignOffSerializer

    @extend_schema(
        request=serializers.SignOffRevokeSerializer, responses={201: serializers.SignOffSerializer}
    )
    def post(self, request, project_pk, review_pk, item_pk):
        """Withdraw your standing approval or rejection (a new record; nothing is deleted)."""
        item = item_get(self.access, review_pk, item_pk)
        data = valid(serializers.SignOffRevokeSerializer, request)
        record = item_sign_off_revoke(item=item, acting_user=request.user, **data)
        return created(self.get_serializer(record).data)
