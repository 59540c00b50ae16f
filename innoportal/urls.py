from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from exchange import urls as exchange_urls
from indicators import urls as indicator_urls
from ops import health, metrics
from portal import audit_views, language_views, statement_views, views
from portal.api.schema import SchemaView
from portal.sso import views as sso_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/full", health.healthz_full, name="healthz-full"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    # Before Django's auth URLs: the reset page that sends its mail from the queue.
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    # Before django.contrib.auth's own logout: this one also ends the provider's session.
    path("accounts/logout/", sso_views.logout, name="logout"),
    path("accounts/sso/", include("portal.sso.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", language_views.set_language, name="set_language"),
    path("account/api-tokens/", views.api_tokens, name="api-tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("organisation/", views.org_admin_index, name="org-admin"),
    path("organisation/<str:org_number>/members/", views.org_members, name="org-members"),
    path("organisation/<str:org_number>/members/<int:pk>/role/", views.org_member_role,
         name="org-member-role"),
    path("organisation/<str:org_number>/members/<int:pk>/remove/", views.org_member_remove,
         name="org-member-remove"),
    path("organisation/<str:org_number>/units/", views.org_units, name="org-units"),
    path("organisation/<str:org_number>/login/", sso_views.org_login_settings, name="org-login"),
    path("organisation/<str:org_number>/units/<int:pk>/", views.org_unit_edit,
         name="org-unit-edit"),
    path("organisation/<str:org_number>/audit/", audit_views.org_audit, name="org-audit"),
    path("organisation/<str:org_number>/audit/export/", audit_views.org_audit_export,
         name="org-audit-export"),
    path("organisation/<str:org_number>/statements/accessibility/",
         statement_views.org_statement_edit, {"kind": "accessibility"},
         name="org-accessibility-edit"),
    path("organisation/<str:org_number>/statements/privacy/", statement_views.org_statement_edit,
         {"kind": "privacy"}, name="org-privacy-edit"),
    # The statements are public: citizens and the supervisory authorities read them.
    path("accessibility/", statement_views.statement_index, {"kind": "accessibility"},
         name="accessibility-index"),
    path("accessibility/<str:org_number>/", statement_views.statement_page,
         {"kind": "accessibility"}, name="accessibility-statement"),
    path("privacy/", statement_views.statement_index, {"kind": "privacy"},
         name="privacy-index"),
    path("privacy/<str:org_number>/", statement_views.statement_page, {"kind": "privacy"},
         name="privacy-statement"),
    path("", include("overview.urls")),
    path("ideas/", include("ideas.urls")),
    path("projects/", include("projects.urls")),
    path("benefits/", include("gevinst.urls")),
    path("notifications/", include("notifications.urls")),
    # The indicator pages, with the exchange format's upload page in their namespace.
    path("indicators/", include(([*indicator_urls.urlpatterns, *exchange_urls.indicator_pages],
                                 "indicators"))),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("innoportal.api_urls")),
    path("django-admin/", admin.site.urls),
]

handler500 = "portal.views.server_error"
handler404 = "portal.views.page_not_found"
handler400 = "portal.views.bad_request_error"
