"""The gRPC face: conversion, error mapping and the servicer."""
