"""Pages of two-factor authentication, under /accounts/2fa/."""

from django.urls import path

from cmm.two_factor import views

urlpatterns = [
    path("", views.TwoFactorSettingsView.as_view(), name="two-factor-settings"),
    path("setup/", views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("verify/", views.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("recovery-codes/", views.RecoveryCodesRegenerateView.as_view(), name="two-factor-recovery-codes"),
    path("reset/<int:pk>/", views.TwoFactorResetView.as_view(), name="two-factor-reset"),
]
