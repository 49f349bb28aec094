from django import forms
from django.utils.translation import gettext_lazy as _

from regions.forms import RegionPickerWidget
from regions.models import subtree_q
from outreach import services
from outreach.models import (
    LOGGED_SERVICES,
    SERVICE_FIELDS,
    Audience,
    FailureReason,
    Outcome,
    Session,
    SessionSeries,
    Status,
    Team,
    Venue,
    Weekday,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

PUBLIC_CHOICES = [
    ("auto", _("Otomatis menurut jenis tempat")),
    ("yes", _("Ya, umumkan")),
    ("no", _("Tidak diumumkan")),
]


class ScopedChoicesMixin:
    """Venue and team choices come from the user's regions (regions.access through visible_to)."""

    def limit_choices(self, user) -> None:
        if "venue" in self.fields:
            self.fields["venue"].queryset = Venue.objects.visible_to(user).filter(is_active=True).select_related("village")
            self.fields["venue"].empty_label = _("Pilih tempat")
        if "venues" in self.fields:
            self.fields["venues"].queryset = Venue.objects.visible_to(user).filter(is_active=True).select_related("village")
        if "team" in self.fields:
            self.fields["team"].queryset = Team.objects.visible_to(user).field_teams()
            self.fields["team"].empty_label = _("Pilih tim")


class SessionForm(ScopedChoicesMixin, forms.ModelForm):
    audience = forms.MultipleChoiceField(
        label=_("Sasaran peserta"), choices=Audience.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    public = forms.ChoiceField(
        label=_("Diumumkan ke publik?"),
        choices=PUBLIC_CHOICES,
        initial="auto",
        help_text=_("Otomatis: diumumkan, kecuali di sekolah, kantor, tempat kerja atau kunjungan rumah."),
    )

    class Meta:
        model = Session
        fields = [
            "venue", "date", "start_time", "end_time", "team",
            "offers_ikd", "offers_ektp", "offers_kia", "offers_other",
            "audience", "expected_participants", "notes",
        ]
        widgets = {"date": DATE, "start_time": TIME, "end_time": TIME, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)
        if self.instance.pk:
            self.fields["public"].initial = "yes" if self.instance.is_public else "no"

    def service_fields(self) -> dict:
        """The cleaned values to hand to the service, with the public choice resolved."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        choice = self.cleaned_data["public"]
        if choice != "auto":
            values["is_public"] = choice == "yes"
        elif self.instance.pk:
            values["is_public"] = self.cleaned_data["venue"].public_by_default
        return values


class PostponeForm(forms.Form):
    new_date = forms.DateField(label=_("Tanggal baru"), widget=DATE)
    start_time = forms.TimeField(label=_("Jam mulai baru"), required=False, widget=TIME, help_text=_("Kosongkan bila sama."))
    end_time = forms.TimeField(label=_("Jam selesai baru"), required=False, widget=TIME, help_text=_("Kosongkan bila sama."))
    reason = forms.CharField(label=_("Alasan penundaan"), max_length=250)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=250)


class SeriesForm(ScopedChoicesMixin, forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Hari"), choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    audience = forms.MultipleChoiceField(
        label=_("Sasaran peserta"), choices=Audience.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SessionSeries
        fields = [
            "title", "venues", "weekdays", "starts_on", "ends_on", "team", "start_time", "end_time",
            "offers_ikd", "offers_ektp", "offers_kia", "offers_other",
            "audience", "expected_participants", "is_public", "notes",
        ]
        widgets = {
            "starts_on": DATE, "ends_on": DATE, "start_time": TIME, "end_time": TIME,
            "venues": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"venues": _("Tempat dipakai bergiliran sesuai urutan tanggal.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)


class SeriesChangeForm(ScopedChoicesMixin, forms.ModelForm):
    audience = forms.MultipleChoiceField(
        label=_("Sasaran peserta"), choices=Audience.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SessionSeries
        fields = [
            "team", "start_time", "end_time", "offers_ikd", "offers_ektp", "offers_kia", "offers_other",
            "audience", "expected_participants", "is_public", "notes",
        ]
        widgets = {"start_time": TIME, "end_time": TIME, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)


class SessionFilterForm(forms.Form):
    region = forms.CharField(label=_("Wilayah"), required=False, widget=RegionPickerWidget())
    team = forms.ModelChoiceField(label=_("Tim"), queryset=Team.objects.none(), required=False, empty_label=_("Semua"))
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Semua"))] + Status.choices, required=False)
    service = forms.ChoiceField(
        label=_("Layanan"),
        choices=[("", _("Semua")), ("offers_ikd", _("Aktivasi IKD")), ("offers_ektp", _("Perekaman KTP-el")),
                 ("offers_kia", _("Penerbitan KIA")), ("offers_other", _("Layanan adminduk lain"))],
        required=False,
    )
    # One day, from the calendar's "+N lainnya": kept as the filters change, cleared by a link.
    date = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user).field_teams()

    def filter(self, sessions):
        """The sessions matching the filters; all of them while the form is unbound or invalid."""
        if not self.is_valid():
            return sessions
        data = self.cleaned_data
        if data["region"]:
            sessions = sessions.filter(subtree_q([data["region"]], "venue__village"))
        if data["team"]:
            sessions = sessions.filter(team=data["team"])
        if data["status"]:
            sessions = sessions.filter(status=data["status"])
        if data["service"] in SERVICE_FIELDS.values():
            sessions = sessions.filter(**{data["service"]: True})
        if data["date"]:
            sessions = sessions.filter(date=data["date"])
        return sessions


class ResultSelect(forms.RadioSelect):
    """The outcome's choices, each failure reason naming the services it is for, so the log page
    shows the chosen service's own reasons (static/js/log-reasons.js)."""

    services_of: dict[str, str] = {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["services"] = self.services_of.get(value, "")
        return option


class ActivationForm(forms.Form):
    """One person at a session: service, NIK, one tap for the outcome, save."""

    service = forms.ChoiceField(label=_("Layanan"), widget=forms.RadioSelect,
                                error_messages={"required": _("Pilih layanan dulu.")})
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        error_messages={"required": _("Isi NIK dari kartu (16 angka)."),
                        "max_length": _("NIK harus 16 angka — periksa kembali kartu.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True, "class": "nik-input",
                   "data-nik-input": True, "aria-describedby": "nik-hint", "spellcheck": "false"}
        ),
    )
    result = forms.ChoiceField(label=_("Hasil"), widget=ResultSelect,
                               error_messages={"required": _("Pilih hasil: Berhasil atau alasan gagalnya.")})
    failure_note = forms.CharField(label=_("Keterangan (untuk 'Lainnya')"), max_length=200, required=False)
    married = forms.BooleanField(label=_("Sudah menikah"), required=False)
    confirm_district = forms.BooleanField(label=_("Saya sudah memeriksa kartu: kode kecamatan sesuai"), required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            (service.value, service.label) for service in session.services if service in LOGGED_SERVICES
        ]
        if len(self.fields["service"].choices) == 1:  # nothing to choose: one tap fewer per person
            self.initial["service"] = self.fields["service"].choices[0][0]
        fitting = {service: FailureReason.for_service(service) for service, _label in self.fields["service"].choices}
        services_of = {
            reason.value: " ".join(service for service, reasons in fitting.items() if reason in reasons)
            for reason in FailureReason
        }
        self.fields["result"].choices = [(Outcome.SUCCESS.value, _("Berhasil"))] + [
            (reason.value, reason.label) for reason in FailureReason if services_of[reason.value]
        ]
        self.fields["result"].widget.services_of = services_of

    def clean(self):
        data = super().clean()
        service, result = data.get("service"), data.get("result")
        if service and result and result != Outcome.SUCCESS and (misfit := services.reason_misfit(service, result)):
            self.add_error("result", misfit)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        success = data["result"] == Outcome.SUCCESS
        return {
            "service": data["service"],
            "nik": data["nik"],
            "outcome": Outcome.SUCCESS if success else Outcome.FAILED,
            "failure_reason": "" if success else data["result"],
            "failure_note": data["failure_note"],
            "married": data["married"],
            "confirm_district": data["confirm_district"],
            "idempotency_key": data["idempotency_key"],
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class CloseOutForm(forms.Form):
    actual_participants = forms.IntegerField(label=_("Jumlah peserta yang datang"), min_value=0, max_value=100_000)
    notes = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(
        label=_("Foto kegiatan"), required=False, help_text=_("Paling banyak 5 foto, masing-masing paling besar 10 MB.")
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Alasan koreksi"), max_length=200)


class TallyForm(forms.Form):
    """Counts for a session without NIKs: per offered service, successes and failures by reason."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for service in session.services:
            if service not in LOGGED_SERVICES:
                continue
            names = []
            reasons = [(reason.value, reason.label) for reason in FailureReason.for_service(service)]
            for result, label in [(Outcome.SUCCESS.value, _("Berhasil"))] + reasons:
                name = f"n_{service.value}_{result}"
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=0, max_value=10_000, required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                )
                names.append(name)
            self.groups.append((service, names))

    def counts(self) -> dict[tuple[str, str, str], int]:
        found = {}
        for service, names in self.groups:
            for name in names:
                value = self.cleaned_data.get(name) or 0
                result = name.split("_", 2)[2]
                outcome, reason = (Outcome.SUCCESS.value, "") if result == Outcome.SUCCESS else (Outcome.FAILED.value, result)
                found[(service.value, outcome, reason)] = value
        return found
