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
