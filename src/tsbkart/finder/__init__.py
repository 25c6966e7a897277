"""The finder ("en vei inn"): from a need profile to ranked, explained services, a guideline deadline and the
assessment team that receives the referral. Entry point: :func:`tsbkart.finder.search.find`."""
