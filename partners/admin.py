import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from outreach.services import photo_clean
from partners.models import Agreement, Benefit, Partner, UsageRecap
from partners.services import agreement_renew, check_pdf, normalize_nib, normalize_whatsapp, recap_save
from regions import access
from regions.admin import ScopedModelAdmin, StaffInlineMixin

LOGO_SIDE = 400


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = "__all__"

    def clean_whatsapp(self):
        return normalize_whatsapp(self.cleaned_data["whatsapp"])

    def clean_nib(self):
        return normalize_nib(self.cleaned_data["nib"])

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            content, _width, _height = photo_clean(logo, max_side=LOGO_SIDE)
            return content
        return logo


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = "__all__"

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):
            check_pdf(document)
        return document


class BenefitInline(StaffInlineMixin, admin.TabularInline):
    model = Benefit
    extra = 1


class UsageRecapInline(StaffInlineMixin, admin.TabularInline):
    model = UsageRecap
    extra = 0
    fields = ["month", "kia_users", "ikd_users"]


@admin.register(Partner)
class PartnerAdmin(ScopedModelAdmin):
    form = PartnerForm
    region_field = "village"
    autocomplete_fields = ["village"]
    list_select_related = ["village"]
    list_display = ["business_name", "sector", "village", "whatsapp", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["business_name", "owner_name", "nib", "village__name"]
    inlines = [UsageRecapInline]

    def save_formset(self, request, form, formset, change):
        # Monthly recaps go through the service: first day of the month, who entered it.
        for recap in formset.save(commit=False):
            recap_save(actor=request.user, partner=form.instance, month=recap.month,
                       kia_users=recap.kia_users, ikd_users=recap.ikd_users)
        for recap in formset.deleted_objects:
            recap.delete()


@admin.register(Agreement)
class AgreementAdmin(ScopedModelAdmin):
    form = AgreementForm
    region_field = "partner__village"
    autocomplete_fields = ["partner", "office"]
    list_select_related = ["partner"]
    list_display = ["number", "partner", "signed_on", "valid_from", "valid_until", "terminated_on"]
    search_fields = ["number", "title", "partner__business_name"]
    inlines = [BenefitInline]
    exclude = ["renewal_of"]
    actions = ["renew_for_a_year"]

    @admin.action(description=_("Perpanjang satu tahun (PKS baru, terhubung ke yang lama)"))
    def renew_for_a_year(self, request, queryset):
        for agreement in queryset:
            start = agreement.valid_until + datetime.timedelta(days=1)
            try:
                agreement_renew(actor=request.user, agreement=agreement, number=f"{agreement.number}-P",
                                valid_from=start, valid_until=start.replace(year=start.year + 1) - datetime.timedelta(days=1))
            except ValidationError as error:
                self.message_user(request, f"{agreement.number}: {' '.join(error.messages)}", level=messages.ERROR)
            else:
                self.message_user(request, _("%s diperpanjang sebagai draf: isi tanggal tanda tangan setelah ditandatangani.") % agreement.number)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner":
            kwargs["queryset"] = Partner.objects.visible_to(request.user)
        if db_field.name == "office":
            kwargs["queryset"] = access.visible_regions(request.user).filter(level__in=[1, 2])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
