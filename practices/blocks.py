"""StreamField blocks of a practice's approach; templates under components/blocks/."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Heading")
        template = "components/blocks/heading_block.html"
        max_length = 200


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["bold", "italic", "ol", "ul", "link"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        template = "components/blocks/paragraph_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"), max_length=2000)
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "components/blocks/quote_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)
    alt_text = blocks.CharBlock(
        label=_("Text alternative"),
        required=False,
        max_length=300,
        help_text=_("Describe the image for people who cannot see it; leave empty if decorative."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "components/blocks/image_block.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "components/blocks/document_block.html"


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    url = blocks.URLBlock(label=_("Address (URL)"))

    class Meta:
        icon = "link"
        label = _("Link")
        template = "components/blocks/link_block.html"


class ApproachBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    document = DocumentBlock()
    link = LinkBlock()


class OrganisationBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"), max_length=200)
    website = blocks.URLBlock(label=_("Website"), required=False)

    class Meta:
        icon = "group"
        label = _("Organisation")
        template = "components/blocks/organisation_block.html"
