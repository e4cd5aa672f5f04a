import pytest
from ansible_collections.ffdl.platform.plugins.test.host_address import is_host_address, is_ipv4


@pytest.mark.parametrize("value", ["192.168.42.10", "10.0.0.255", "minishift", "vm-1.example.com", "a", "node1.local."])
def test_addresses_and_names_pass(value):
    assert is_host_address(value)


@pytest.mark.parametrize(
    "value", ["300.1.2.3", "10.0.0", "1.2.3.4.5", "", "not an address!", "-bad.example", "a..b", "x" * 254, None, 5]
)
def test_neither_address_nor_name_fails(value):
    assert not is_host_address(value)


def test_ipv4_refuses_leading_zeros_and_names():
    assert is_ipv4("10.0.0.1") and not is_ipv4("010.0.0.1") and not is_ipv4("minishift")
