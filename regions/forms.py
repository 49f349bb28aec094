from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ACCOUNT_FILE = 1024 * 1024


class AccountImportForm(forms.Form):
    """A CSV of accounts, uploaded once; the preview sends its text back for confirmation."""

    file = forms.FileField(
        label=_("Berkas CSV"),
        required=False,
        help_text=_("Kolom: username,nama,email,wilayah[,peran]. Wilayah berisi kode, misalnya 33.24.01; pisahkan beberapa kode dengan titik koma."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    text = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_ACCOUNT_FILE:
                raise forms.ValidationError(_("Berkas terlalu besar: paling banyak 1 MB."))
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("Berkas harus CSV dengan pengodean UTF-8.")) from None
        if not data.get("text"):
            raise forms.ValidationError(_("Pilih berkas CSV terlebih dahulu."))
        return data


MAX_FIGURE_FILE = 5 * 1024 * 1024


class FigureUploadForm(forms.Form):
    """A CSV or XLSX of populations or official figures, checked before anything is written."""

    KIND_CHOICES = [("population", _("Data penduduk")), ("achievements", _("Capaian resmi (SIAK/kementerian)"))]

    kind = forms.ChoiceField(label=_("Jenis data"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Berkas CSV atau XLSX"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text=_(
            "Penduduk: region_code,as_of,population,wajib_ktp,children (male,female boleh ada). "
            "Capaian resmi: region_code,indicator,as_of,count,source. Paling besar 5 MB."
        ),
    )
    as_of = forms.DateField(
        label=_("Per tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Untuk data penduduk tanpa kolom as_of."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FIGURE_FILE:
            raise forms.ValidationError(_("Berkas terlalu besar: paling banyak 5 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Pilih berkas .csv atau .xlsx."))
        return upload


class RegionPickerWidget(forms.HiddenInput):
    """A region code field that searches as you type (static/js/region-picker.js, no framework).

    The code travels in a hidden input; the visible box searches names and codes inside the
    user's regions through the region search endpoint, which asks regions.access.
    """

    template_name = "regions/widgets/region_picker.html"

    class Media:
        js = ["js/region-picker.js"]

    def __init__(self, attrs=None, level: int | None = None):
        super().__init__(attrs)
        self.level = level

    @property
    def is_hidden(self) -> bool:
        # Shown with its label: only the code itself travels hidden.
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["level"] = self.level or ""
        return context
