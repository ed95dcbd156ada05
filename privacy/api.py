"""REST endpoints of the privacy app: the raw-access audit trail and a masking preview."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from .masking import STRATEGIES, mask
from .models import RawTextAccess

# Surrogates in a preview must not match any project's, so the preview has its own scope.
PREVIEW_SCOPE = "preview"
PREVIEW_MAX_CHARS = 100_000


class RawTextAccessSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = RawTextAccess
        fields = ["id", "user", "object_type", "object_id", "reason", "created_at"]


class AuditFilterSerializer(serializers.Serializer):
    """What narrows the audit trail (query parameters), each compared as it comes; blank ones narrow nothing.
    Being CharFields they refuse a NUL character, which PostgreSQL cannot compare (a 500)."""

    object_type = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    object_id = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    user = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, help_text="A username.")


@extend_schema_view(get=extend_schema(parameters=[AuditFilterSerializer], responses={
    200: RawTextAccessSerializer(many=True),
    400: OpenApiResponse(description="A filter no database can compare (a NUL character)."),
}))
class AuditListView(generics.ListAPIView):
    """GET: raw-text reads, newest first; ?object_type=&object_id=&user= narrow it."""

    permission_classes = [IsAdminUser]
    serializer_class = RawTextAccessSerializer

    def get_queryset(self):
        records = RawTextAccess.objects.select_related("user")
        filters = AuditFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if params.get("object_type"):
            records = records.filter(object_type=params["object_type"])
        if params.get("object_id"):
            records = records.filter(object_id=params["object_id"])
        if params.get("user"):
            records = records.filter(user__username=params["user"])
        return records


class PreviewRequestSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=PREVIEW_MAX_CHARS)
    strategy = serializers.ChoiceField(choices=STRATEGIES, default="tag")


class SpanSerializer(serializers.Serializer):
    type = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class PreviewSerializer(serializers.Serializer):
    """The masked text and what was masked."""

    masked_text = serializers.CharField()
    spans = SpanSerializer(many=True, help_text="What was found, in the offsets of the posted text.")


class PreviewView(APIView):
    """POST {text, strategy}: the masked text and the spans found, in original offsets.

    Staff only, unless the site widens it: privacy cannot tell who works on a project, so the URL
    conf (config/urls.py) mounts this view with the rule that can.
    """

    permission_classes = [IsAdminUser]

    @extend_schema(request=PreviewRequestSerializer, responses=PreviewSerializer)
    def post(self, request):
        incoming = PreviewRequestSerializer(data=request.data)
        if not incoming.is_valid():
            return Response(
                {"detail": _first_error(incoming.errors), "errors": incoming.errors}, status=status.HTTP_400_BAD_REQUEST
            )
        data = incoming.validated_data
        result = mask(data["text"], strategy=data["strategy"], scope=PREVIEW_SCOPE)
        return Response({"masked_text": result.masked_text, "spans": result.spans})


def _first_error(errors):
    field, messages = next(iter(errors.items()))
    return f"{field}: {messages[0]}"
