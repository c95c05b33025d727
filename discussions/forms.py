from django import forms

from discussions.services import BODY_MAX


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment", max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
