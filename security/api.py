"""``POST /api/v1/auth/token/``: an auditor's script exchanges username and password for
its token. Failures count towards the login lockout like any other login."""

from django.conf import settings
from django.contrib.auth import authenticate
from django_otp import match_token, user_has_device
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .lockout import cooloff_minutes


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="Nome utente", write_only=True,
                                     help_text="Il nome utente dell'accesso al sito.")
    password = serializers.CharField(label="Password", write_only=True, trim_whitespace=False,
                                     style={"input_type": "password"},
                                     help_text="La password dell'accesso al sito.")
    otp_token = serializers.CharField(
        label="Codice di verifica", write_only=True, required=False, allow_blank=True,
        help_text="Solo per gli utenti con la verifica in due passaggi attiva: le 6 cifre "
        "mostrate ora dall'app di autenticazione.",
    )

    def validate(self, attrs):
        request = self.context["request"]
        # django-axes needs Django's request, on which its middleware reads the lockout.
        user = authenticate(request=request._request, username=attrs["username"],
                            password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                "Nome utente o password non corretti.", code="authorization"
            )
        # A password alone must not give a token to an account protected by a second factor.
        if user_has_device(user, confirmed=True) and not match_token(
            user, attrs.get("otp_token", "").strip()
        ):
            raise serializers.ValidationError(
                "Serve il codice di verifica dell'app di autenticazione (campo otp_token), "
                "valido in questo momento.", code="second_factor_required",
            )
        attrs["user"] = user
        return attrs


class ObtainTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="Ottieni il token di accesso",
        description=(
            "Scambia nome utente e password con il token personale da usare nell'intestazione "
            "`Authorization: Token <chiave>`. Sempre lo stesso token finché l'Ufficio di Piano "
            f"non lo revoca. Dopo {settings.AXES_FAILURE_LIMIT} tentativi falliti per lo stesso "
            "nome utente dallo stesso indirizzo l'accesso è sospeso per "
            f"{cooloff_minutes()} minuti (risposta 429)."
        ),
        tags=["autenticazione"],
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField(
                help_text="La chiave da mettere nell'intestazione Authorization.")}),
            400: OpenApiResponse(description="Credenziali o codice non validi."),
            429: OpenApiResponse(description="Troppi tentativi: accesso sospeso."),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # Returned, not raised: DRF rolls back the request's transaction on a raised
            # error (ATOMIC_REQUESTS), and with it the failed attempt django-axes recorded.
            return Response(serializer.errors, status=400)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
