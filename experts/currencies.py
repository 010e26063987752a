"""ISO 4217 alphabetic codes of the currencies a South-South exchange can be valued in.

A fixed list kept in the repository (no installed library carries ISO 4217): the active
national and regional currencies of ISO 4217 list one, plus the IMF's special drawing
right (XDR), in which multilateral partners often report. Fund codes, precious metals,
bond-market units and the testing codes (XTS, XXX) are left out: they are not the value
of a cooperation flow. Add a code here when ISO 4217 adds one.
"""

CURRENCY_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV
    WST XAF XCD XCG XDR XOF XPF YER ZAR ZMW ZWG
    """.split()
)


def currency_choices(language=None):
    """(code, "name (code)") pairs, the names in the reader's language (Babel's CLDR data),
    sorted by name: what a currency select offers."""
    from kx_platform.formatting import currency_name, sorted_choices

    def label(code):
        name = currency_name(code, language)
        return code if name == code else f"{name} ({code})"

    return sorted_choices((code, label(code)) for code in CURRENCY_CODES)


def is_currency(code):
    return code in CURRENCY_CODES
