"""REST endpoints of the privacy app: the raw-access audit trail and a masking preview."""
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


class AuditListView(generics.ListAPIView):
    """GET: raw-text reads, newest first; ?object_type=&object_id=&user= narrow it."""

    permission_classes = [IsAdminUser]
    serializer_class = RawTextAccessSerializer

    def get_queryset(self):
        records = RawTextAccess.objects.select_related("user")
        params = self.request.query_params
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


class PreviewView(APIView):
    """POST {text, strategy}: the masked text and the spans found, in original offsets.

    Staff only, unless the site widens it: privacy cannot tell who works on a project, so the URL
    conf (config/urls.py) mounts this view with the rule that can.
    """

    permission_classes = [IsAdminUser]

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
